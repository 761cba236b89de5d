package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.FindingCode;
import dev.attest.generator.Generator;
import dev.attest.stream.Feed;
import dev.attest.stream.KafkaBroker;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import dev.attest.engine.state.StateStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Parity with batch (issue 17), on one real broker: the generator's data, with faults of every finding code, all arriving within the hold,
 * audited once by `attest audit` and once by `attest stream` through a real broker. The stream's settled findings must be
 * the batch audit's, finding for finding: fingerprint, code, event, decision, amounts, money, billing period, severity and explanation.
 */
class StreamParityIT {
    static final int EVENTS = Integer.getInteger("attest.stream.events", 2000);
    static final String T = "2026-02-20T00:00:00Z";

    @TempDir
    static Path shared;
    static KafkaBroker broker;

    @BeforeAll
    static void broker() throws Exception {
        broker = KafkaBroker.start(shared.resolve("broker")); // one broker for both tests: starting one costs seconds
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) broker.close();
    }

    @Test
    void streamSettledFindingsEqualTheBatchAuditsFindingForFinding(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        new Generator(1, Generator.DEFAULT_CHUNK_ROWS).generate(data, EVENTS, 5);
        GeneratedData generated = GeneratedData.read(data);
        ScenarioIT.Run batch = ScenarioIT.Run.of(generated.auditArguments(tmp.resolve("runs"), Metadata.h2(tmp.resolve("meta"))).toArray(String[]::new));
        assertThat(batch.exit()).as(batch.stderr()).isEqualTo(1);
        List<String> batchFindings = batchFindings(Path.of(batch.lastStdoutLine()));

        {
            String b = broker.bootstrap();
            Feed.createTopics(b, 2, "p.events", "p.decisions");
            Feed.publish(b, "p.events", Feed.events(data));
            Feed.publish(b, "p.decisions", Feed.decisions(data));
            ScenarioIT.Run stream = ScenarioIT.Run.of("stream", "--bootstrap-servers", b, "--events-topic", "p.events", "--decisions-topic", "p.decisions",
                    "--verdicts-topic", "p.verdicts", "--findings-topic", "p.findings", "--dead-letter-topic", "p.dlq", "--group-id", "parity",
                    "--policies", data.resolve("policies").toString(), "--customers", generated.customers(), "--late-after", "PT1H",
                    "--hold", "PT12H", "--idle", "2s", "--exit-when-idle", "3s", "--out", tmp.resolve("stream-out").toString(),
                    "--metadata", Metadata.h2(tmp.resolve("meta")));
            assertThat(stream.exit()).as(stream.stderr()).isZero();
            List<String> streamFindings = new ArrayList<>();
            for (ConsumerRecord<String, String> r : Feed.readCommitted(b, "p.findings")) {
                JsonNode f = Feed.JSON.readTree(r.value());
                streamFindings.add(String.join("|", f.get("fingerprint").asString(), f.get("code").asString(), text(f, "event_id"), text(f, "decision_id"),
                        num(text(f, "expected_amount")), num(text(f, "actual_amount")), num(text(f, "difference")), num(text(f, "money_effect")),
                        text(f, "billing_period"), text(f, "severity"), text(f, "money_class"), text(f, "explanation")));
            }
            streamFindings.sort(null);
            assertThat(streamFindings).as("stream vs batch").containsExactlyElementsOf(batchFindings);
            assertThat(Feed.readCommitted(b, "p.dlq")).as("all data came within the hold").isEmpty();
            assertThat(batchFindings.stream().map(l -> l.split("\\|")[1]).distinct())
                    .containsExactlyInAnyOrderElementsOf(Arrays.stream(FindingCode.values()).filter(FindingCode::inContract).map(Enum::name).toList());
            System.err.println("stream-vs-batch: " + streamFindings.size() + " stream findings, " + batchFindings.size() + " batch findings, equal");
        }
    }

    /** A short smoke of {@code attest bench --stream} on this broker: it runs and prints the table (its figures go to docs/, not here). */
    @Test
    void benchStreamPrintsTheLatencyTableAndTheLagLines(@TempDir Path tmp) throws Exception {
        ScenarioIT.Run bench = ScenarioIT.Run.of("bench", "--stream", "--rate", "500", "--duration", "5", "--bootstrap-servers", broker.bootstrap(),
                "--dir", tmp.toString(), "--kafka-property", "compression.type=lz4");
        assertThat(bench.exit()).as(bench.stderr()).isZero();
        assertThat(bench.stdout()).containsPattern("published +\\S+ events and 2,5\\d\\d decisions in")
                .containsPattern("latency .* p50 \\d+ ms, p95 \\d+ ms, p99 \\d+ ms, max \\d+ ms")
                .containsPattern("check .* p99 [\\d.]+ ms")
                .containsPattern("consumer lag +sampled every second of the load \\(\\d+ samples\\): max [\\d,]+ records, slope .*: (bounded|GREW)")
                .containsPattern("after the load +consumer lag 0 after \\d+ ms")
                .contains("load average")
                .contains("kafka            {compression.type=lz4}")
                .containsPattern("warm-up +[\\d,]+ messages through throwaway streams first, the last \\d+ s a rehearsal of the timed run");
        // The warm-up's and the rehearsal's topics are deleted once they are done with (the broker would go on compacting them).
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Feed.props(broker.bootstrap()))) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            List<String> left;
            do {
                left = admin.listTopics().names().get().stream().filter(n -> n.startsWith("warm-") || n.startsWith("rehearsal-")).toList();
            } while (!left.isEmpty() && System.nanoTime() < deadline && sleep(200));
            assertThat(left).as("warm-up and rehearsal topics left on the broker").isEmpty();
        }
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }

    /**
     * The last nightly state seeds a stream started mid-period: the nightly audit of [start, T) leaves carried states at T;
     * a stream started from them (--state) over everything settles exactly the findings of a batch audit of [T, end) rated
     * from the periods' starts (--full), and leaves everything before T to the nightly (flagged late).
     */
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
        List<String> batch = batchFindings(Path.of(rest.lastStdoutLine()));

        {
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
                streamed.add(String.join("|", f.get("fingerprint").asString(), f.get("code").asString(), text(f, "event_id"),
                        text(f, "decision_id"), num(text(f, "expected_amount")),
                        num(text(f, "actual_amount")), num(text(f, "difference")),
                        num(text(f, "money_effect")), text(f, "billing_period"),
                        text(f, "severity"), text(f, "money_class"), text(f, "explanation")));
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

    static List<String> batchFindings(Path run) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT fingerprint, code, coalesce(event_id, ''), coalesce(decision_id, ''), CAST(expected_amount AS VARCHAR), "
                     + "CAST(actual_amount AS VARCHAR), CAST(difference AS VARCHAR), CAST(money_effect AS VARCHAR), coalesce(billing_period, ''), severity, coalesce(money_class, ''), explanation FROM read_parquet('"
                     + run.resolve("findings.parquet") + "')")) {
            while (rs.next())
                out.add(String.join("|", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), num(rs.getString(5)), num(rs.getString(6)),
                        num(rs.getString(7)), num(rs.getString(8)), rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12)));
        }
        out.sort(null);
        return out;
    }

    static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asString() : "";
    }

    /** Amounts compare as numbers (1.00 = 1.000000000). */
    static String num(String s) {
        return s == null || s.isEmpty() ? "" : new BigDecimal(s).stripTrailingZeros().toPlainString();
    }
}
