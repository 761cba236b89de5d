package dev.attest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.generator.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Exactly once under kill -9 (issue 17). The generator's data (faults of every code) is on the broker; one `attest stream`
 * JVM reads it uninterrupted, another is killed with SIGKILL mid-stream (twice; 8 times with -Plong) and restarted. The killed run's
 * committed output must hold no duplicate verdict or finding, every decision's verdicts must form one unbroken chain
 * (#1, #2 superseding #1, ...: nothing lost), and its final verdicts and settled findings must equal the uninterrupted
 * run's, which equal the generator's truth (the findings a batch audit must make: GeneratedTruthIT).
 */
class StreamKillIT {
    private static final Logger LOG = LoggerFactory.getLogger(StreamKillIT.class);
    static final int EVENTS = Integer.getInteger("attest.stream.events", 2000);
    /** SIGKILLs before the last, uninterrupted restart: 2 in verify, 8 with -Plong. */
    static final int KILLS = Integer.getInteger("attest.stream.kills", 2);

    @TempDir
    static Path tmp;
    static KafkaBroker broker;

    @BeforeAll
    static void broker() throws Exception {
        broker = KafkaBroker.start(tmp.resolve("broker"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) broker.close();
    }

    @Test
    void killNineMidStreamLosesNoVerdictAndPublishesNoDuplicate() throws Exception {
        Path data = tmp.resolve("data");
        new Generator(1, Generator.DEFAULT_CHUNK_ROWS).generate(data, EVENTS, 11);
        String b = broker.bootstrap();
        Feed.createTopics(b, 3, "k.events", "k.decisions");
        List<Feed.Message> events = Feed.events(data), decisions = Feed.decisions(data);
        Feed.publish(b, "k.events", events);
        Feed.publish(b, "k.decisions", decisions);

        long t0 = System.nanoTime();
        Process a = stream(data, "a");
        assertThat(a.waitFor(5, TimeUnit.MINUTES)).as("the uninterrupted run ends when idle").isTrue();
        assertThat(a.exitValue()).as(Files.readString(tmp.resolve("a.log"))).isZero();
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<JsonNode> verdictsA = values(b, "k.a.verdicts");
        LOG.info("uninterrupted: {} events and {} decisions -> {} verdicts in {} s (JVM start included)", events.size(), decisions.size(),
                verdictsA.size(), String.format("%.1f", seconds));

        int kills = 0;
        for (int k = 1; k <= KILLS; k++) {
            Process p = stream(data, "b");
            long target = (long) verdictsA.size() * k / (KILLS + 1);
            while (p.isAlive() && committedEnd(b, "k.b.verdicts") < target) Thread.sleep(50);
            if (!p.isAlive()) break;
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no abort; the open transaction dies with it
            p.waitFor(30, TimeUnit.SECONDS);
            kills++;
        }
        Process last = stream(data, "b");
        assertThat(last.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(last.exitValue()).as(Files.readString(tmp.resolve("b.log"))).isZero();
        assertThat(kills).as("killed mid-stream").isEqualTo(KILLS);

        List<JsonNode> verdictsB = values(b, "k.b.verdicts");
        List<JsonNode> findingsA = values(b, "k.a.findings"), findingsB = values(b, "k.b.findings");
        LOG.info("kill -9 x{}: killed run published {} verdicts and {} findings; uninterrupted {} and {}", kills, verdictsB.size(), findingsB.size(),
                verdictsA.size(), findingsA.size());

        Set<String> ids = new HashSet<>();
        for (JsonNode v : verdictsB) assertThat(ids.add(v.get("verdict_id").asString())).as("verdict published twice: " + v).isTrue();
        assertUnbrokenChains(verdictsB);
        assertUnbrokenChains(verdictsA);
        assertThat(finalVerdicts(verdictsB)).isEqualTo(finalVerdicts(verdictsA));
        assertThat(findingsB.stream().map(f -> f.get("fingerprint").asString()).distinct().count()).isEqualTo(findingsB.size());
        assertThat(sortedFindings(findingsB)).isEqualTo(sortedFindings(findingsA));
        assertThat(values(b, "k.a.dlq")).as("nothing late, nothing bad").isEmpty();
        assertThat(values(b, "k.b.dlq")).isEmpty();

        List<String> truth = new ArrayList<>();
        for (JsonNode f : Feed.JSON.readTree(Files.readString(data.resolve("truth.json"))).path("expected_findings"))
            truth.add(f.path("code").asString() + "," + text(f, "event_id") + "," + text(f, "decision_id"));
        truth.sort(null);
        List<String> streamed = findingsA.stream().map(f -> f.get("code").asString() + "," + text(f, "event_id") + "," + text(f, "decision_id"))
                .sorted().toList();
        assertThat(streamed).as("the stream's settled findings are the truth's").isEqualTo(truth);
    }

    /** Each decision's verdicts are #1..#n in order, each superseding the one before. */
    static void assertUnbrokenChains(List<JsonNode> verdicts) {
        Map<String, Integer> last = new HashMap<>();
        for (JsonNode v : verdicts) {
            String d = v.get("decision_id").asString();
            int seq = Integer.parseInt(v.get("verdict_id").asString().substring(d.length() + 1));
            int prev = last.getOrDefault(d, 0);
            assertThat(seq).as("verdict chain of " + d).isEqualTo(prev + 1);
            assertThat(v.get("supersedes").isNull() ? null : v.get("supersedes").asString()).isEqualTo(prev == 0 ? null : d + "#" + prev);
            last.put(d, seq);
        }
    }

    static Map<String, String> finalVerdicts(List<JsonNode> verdicts) {
        Map<String, String> m = new TreeMap<>();
        for (JsonNode v : verdicts)
            m.put(v.get("decision_id").asString(), String.join("|", v.get("status").asString(), v.get("codes").toString(), text(v, "expected_amount"),
                    text(v, "actual_amount"), text(v, "money_effect"), text(v, "version_as_known"), text(v, "version_as_corrected"),
                    text(v, "version_applied"), v.get("settled").toString()));
        return m;
    }

    static List<String> sortedFindings(List<JsonNode> findings) {
        return findings.stream().map(f -> String.join("|", f.get("fingerprint").asString(), f.get("code").asString(), text(f, "event_id"),
                text(f, "decision_id"), text(f, "expected_amount"), text(f, "actual_amount"), text(f, "difference"), text(f, "money_effect"),
                text(f, "billing_period"))).sorted().toList();
    }

    static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asString() : "";
    }

    private Process stream(Path data, String group) throws Exception {
        List<String> cmd = KafkaBroker.java("dev.attest.stream.StreamCommand", "--bootstrap-servers", broker.bootstrap(), "--events-topic", "k.events",
                "--decisions-topic", "k.decisions", "--verdicts-topic", "k." + group + ".verdicts", "--findings-topic", "k." + group + ".findings",
                "--dead-letter-topic", "k." + group + ".dlq", "--group-id", "k-" + group, "--policies", data.resolve("policies").toString(),
                "--customers", data.resolve("customers.csv").toString(), "--late-after", "PT1H", "--hold", "PT12H", "--idle", "2s",
                "--exit-when-idle", "3s");
        cmd.add(1, "--add-opens=java.base/java.nio=ALL-UNNAMED");
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(java.lang.ProcessBuilder.Redirect.appendTo(tmp.resolve(group + ".log").toFile())).start();
    }

    static List<JsonNode> values(String b, String topic) {
        return Feed.readCommitted(b, topic).stream().map(ConsumerRecord::value).map(v -> Feed.JSON.readTree(v)).toList();
    }

    /** The committed end (last stable offset) summed over the topic's partitions: progress, without reading it. */
    static long committedEnd(String b, String topic) {
        Properties p = Feed.props(b);
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("isolation.level", "read_committed");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            var infos = c.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) return 0;
            return c.endOffsets(infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList()).values().stream().mapToLong(Long::longValue).sum();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
