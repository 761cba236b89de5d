package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.engine.state.StateStore;
import dev.attest.generator.Generator;
import dev.attest.stream.Feed;
import dev.attest.stream.KafkaBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The last nightly state seeds a stream started mid-period (issue 17): the nightly audit of [start, T) leaves carried
 * states at T; a stream started from them (--state) over everything settles exactly the findings of a batch audit of
 * [T, end) rated from the periods' starts (--full), and leaves everything before T to the nightly (flagged late).
 */
class StreamSeedIT {
    static final String T = "2026-02-20T00:00:00Z";

    @Test
    void aStreamSeededFromTheNightlyStateFindsWhatTheBatchAuditOfTheRestFinds(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        new Generator(1, Generator.DEFAULT_CHUNK_ROWS).generate(data, Integer.getInteger("attest.stream.events", 2000), 9);
        GeneratedData generated = GeneratedData.read(data);
        Path nightly = tmp.resolve("nightly");
        ScenarioIT.Run first = ScenarioIT.Run.of(window(generated.auditArguments(nightly, Metadata.h2(tmp.resolve("meta"))), "--to", T).toArray(String[]::new));
        assertThat(first.exit()).as(first.stderr()).isIn(0, 1);
        assertThat(StateStore.list(nightly)).as("the nightly audit left a carried state").isNotEmpty();
        List<String> args = window(generated.auditArguments(tmp.resolve("rest"), Metadata.h2(tmp.resolve("meta2"))), "--from", T);
        args.add("--full");
        ScenarioIT.Run rest = ScenarioIT.Run.of(args.toArray(String[]::new));
        assertThat(rest.exit()).as(rest.stderr()).isIn(0, 1);
        List<String> batch = StreamParityIT.batchFindings(Path.of(rest.lastStdoutLine()));

        try (KafkaBroker broker = KafkaBroker.start(tmp.resolve("broker"))) {
            String b = broker.bootstrap();
            Feed.createTopics(b, 2, "s.events", "s.decisions");
            Feed.publish(b, "s.events", Feed.events(data));
            Feed.publish(b, "s.decisions", Feed.decisions(data));
            ScenarioIT.Run stream = ScenarioIT.Run.of("stream", "--bootstrap-servers", b, "--events-topic", "s.events", "--decisions-topic", "s.decisions",
                    "--verdicts-topic", "s.verdicts", "--findings-topic", "s.findings", "--dead-letter-topic", "s.dlq", "--group-id", "seed",
                    "--policies", data.resolve("policies").toString(), "--customers", generated.customers(), "--late-after", "PT1H",
                    "--hold", "PT12H", "--idle", "2s", "--exit-when-idle", "3s", "--state", nightly.toString());
            assertThat(stream.exit()).as(stream.stderr()).isZero();
            List<String> streamed = new ArrayList<>();
            for (ConsumerRecord<String, String> r : Feed.readCommitted(b, "s.findings")) {
                JsonNode f = Feed.JSON.readTree(r.value());
                streamed.add(String.join("|", f.get("fingerprint").asString(), f.get("code").asString(), StreamParityIT.text(f, "event_id"),
                        StreamParityIT.text(f, "decision_id"), StreamParityIT.num(StreamParityIT.text(f, "expected_amount")),
                        StreamParityIT.num(StreamParityIT.text(f, "actual_amount")), StreamParityIT.num(StreamParityIT.text(f, "difference")),
                        StreamParityIT.num(StreamParityIT.text(f, "money_effect")), StreamParityIT.text(f, "billing_period"),
                        StreamParityIT.text(f, "severity"), StreamParityIT.text(f, "money_class"), StreamParityIT.text(f, "explanation")));
            }
            streamed.sort(null);
            assertThat(streamed).as("seeded stream vs batch of the rest").containsExactlyElementsOf(batch);
            assertThat(Feed.readCommitted(b, "s.dlq")).as("what came before T is flagged late").isNotEmpty()
                    .allMatch(r -> r.value().contains("\"late\":true"));
            System.err.println("stream-from-seed-vs-batch: " + streamed.size() + " findings each, equal");
        }
    }

    /** The truth's audit arguments with {@code option} set to {@code value}. */
    static List<String> window(List<String> args, String option, String value) {
        List<String> out = new ArrayList<>(args);
        int i = out.indexOf(option);
        if (i >= 0) out.set(i + 1, value);
        else out.addAll(List.of(option, value));
        return out;
    }
}
