package dev.attest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * attest stream on a real one-node broker: a late event within the hold corrects an earlier verdict (the graduated tier
 * it moves), settled findings come once, bad messages and data later than the hold go to the dead-letter topic with
 * reason and source offset, and the stream goes on.
 */
class StreamIT {
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

    static final String POLICY = """
            policy_id: price-api
            kind: price
            meter: api_calls
            currency: USD
            versions:
              - version: 1
                valid_from: "2026-01-01T00:00:00Z"
                recorded_at: "2025-12-01T00:00:00Z"
                change_ref: T-1
                author: test
                rule:
                  model: graduated
                  tiers: [{up_to: 10, unit_price: "1"}, {up_to: null, unit_price: "0.5"}]
                rounding: {scale: 2, mode: half_up}
            """;

    /** {@link #POLICY} with a version 2 (unit price 2, valid from January 2026) recorded at {@code recordedAt}. */
    static String withVersion2(Instant recordedAt) {
        return POLICY + """
                  - version: 2
                    valid_from: "2026-01-01T00:00:00Z"
                    recorded_at: "%s"
                    change_ref: T-2
                    author: test
                    rule: {model: unit, unit_price: "2"}
                    rounding: {scale: 2, mode: half_up}
                """.formatted(recordedAt);
    }

    static String event(String id, String time, int qty) {
        return "{\"event_id\":\"" + id + "\",\"customer_id\":\"c1\",\"meter\":\"api_calls\",\"quantity\":\"" + qty + "\",\"event_time\":\"" + time + "\"}";
    }

    static String decision(String id, String event, String amount, String decided) {
        return "{\"decision_id\":\"" + id + "\",\"event_id\":\"" + event + "\",\"customer_id\":\"c1\",\"meter\":\"api_calls\",\"outcome\":\"charged\","
                + "\"amount\":\"" + amount + "\",\"currency\":\"USD\",\"price_policy_id\":\"price-api\",\"price_version\":1,\"decided_at\":\"" + decided + "\"}";
    }

    @Test
    void lateEventWithinTheHoldSupersedesAVerdictAndBadMessagesGoToTheDeadLetterTopic() throws Exception {
        Path policies = Files.createDirectories(tmp.resolve("policies"));
        Files.writeString(policies.resolve("price-api.yaml"), POLICY);
        String b = broker.bootstrap();
        Feed.createTopics(b, 2, "it.events", "it.decisions");
        StreamOptions o = new StreamOptions(b, "it.events", "it.decisions", "it.verdicts", "it.findings", "it.dlq", "it.state", "it", policies.toString(),
                null, null, null, tmp.resolve("out"), Duration.ofMinutes(10), Duration.ofSeconds(6), null, null, Map.of(), Map.of(), new Properties(), null,
                "jdbc:h2:file:" + tmp.resolve("meta").toAbsolutePath() + ";AUTO_SERVER=TRUE", null);
        String fingerprint;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        StreamRunner runner = new StreamRunner(o, Clock.systemUTC());
        Future<StreamRunner.Outcome> run = pool.submit(runner::run);
        try {
            Feed.publish(b, "it.events", List.of(msg(event("e1", "2026-01-05T10:00:00Z", 8)), msg(event("e3", "2026-01-05T10:10:00Z", 4))));
            Feed.publish(b, "it.decisions", List.of(msg(decision("d1", "e1", "8.00", "2026-01-05T10:00:01Z")),
                    msg(decision("d3", "e3", "3.00", "2026-01-05T10:10:01Z"))));
            // A decision read before its event is provisionally an orphan; once the event is there, its verdict is ok.
            List<JsonNode> first = await(b, "it.verdicts", vs -> latest(vs, "d1").equals("ok") && latest(vs, "d3").equals("ok"));
            String d3 = first.stream().filter(v -> v.get("decision_id").asString().equals("d3")).reduce((x, y) -> y).orElseThrow().get("verdict_id").asString();
            int seq = Integer.parseInt(d3.substring(3));

            // e2 comes late but within the hold: e3 now starts at 13 units, all in the 0.5 tier: 2.00, not 3.00.
            Feed.publish(b, "it.events", List.of(msg(event("e2", "2026-01-05T10:05:00Z", 5)), msg("not json"), msg("{\"event_id\": 5}"),
                    msg("{\"event_id\":\"e9\",\"customer_id\":\"c1\",\"meter\":\"api_calls\",\"event_time\":\"2026-01-05T10:06:00Z\"}")));
            List<JsonNode> findings = await(b, "it.findings", fs -> fs.size() >= 2);
            assertThat(findings).extracting(f -> f.get("code").asString() + " " + f.get("event_id").asString())
                    .containsExactlyInAnyOrder("AMOUNT_MISMATCH e3", "MISSING_DECISION e2");
            JsonNode mismatch = findings.stream().filter(f -> f.get("code").asString().equals("AMOUNT_MISMATCH")).findFirst().orElseThrow();
            assertThat(mismatch.get("expected_amount").asString()).isEqualTo("2.00");
            assertThat(mismatch.get("fingerprint").asString()).hasSize(16);
            fingerprint = mismatch.get("fingerprint").asString();

            List<JsonNode> verdicts = await(b, "it.verdicts", vs -> latest(vs, "d3").equals("finding"));
            JsonNode corrected = verdicts.stream().filter(v -> v.get("verdict_id").asString().equals("d3#" + (seq + 1))).findFirst().orElseThrow();
            assertThat(corrected.get("supersedes").asString()).isEqualTo(d3);
            assertThat(corrected.get("status").asString()).isEqualTo("finding");
            assertThat(corrected.get("codes").toString()).contains("AMOUNT_MISMATCH");
            assertThat(corrected.get("expected_amount").asString()).isEqualTo("2.00");

            // After the partition settled, an event before its watermark is late: flagged, counted, not rated.
            Feed.publish(b, "it.events", List.of(msg(event("e0", "2026-01-05T09:00:00Z", 1))));
            List<JsonNode> dead = await(b, "it.dlq", ds -> ds.size() >= 4);
            assertThat(dead).extracting(d -> d.get("reason").asString())
                    .anyMatch(r -> r.startsWith("unparsable JSON"))
                    .anyMatch(r -> r.equals("event_id: expected a string, got number") || r.startsWith("missing required field"))
                    .anyMatch(r -> r.equals("missing required field quantity"))
                    .anyMatch(r -> r.startsWith("late: event_time 2026-01-05T09:00:00Z"));
            assertThat(dead).allMatch(d -> d.get("source_topic").asString().equals("it.events") && d.get("source_offset").asLong() >= 0);
            assertThat(Feed.readCommitted(b, "it.findings")).hasSize(2); // settled findings are published once
        } finally {
            runner.stop();
            run.get(30, TimeUnit.SECONDS);
            runner.close();
            pool.shutdownNow();
        }
        // The hour's settled findings are a Parquet file, and in the finding history (attest findings --fingerprint).
        try (java.util.stream.Stream<Path> hours = Files.list(tmp.resolve("out/findings"))) {
            Path hour = hours.findFirst().orElseThrow();
            assertThat(hour.resolve("findings.parquet")).isRegularFile();
        }
        var store = new dev.attest.jobs.lifecycle.LifecycleStore(new org.springframework.jdbc.datasource.DriverManagerDataSource(
                "jdbc:h2:file:" + tmp.resolve("meta").toAbsolutePath() + ";AUTO_SERVER=TRUE"));
        assertThat(store.history(fingerprint)).hasValueSatisfying(h -> assertThat(h.firstSeenRun()).startsWith("stream:it:"));
    }

    /**
     * Policies change while streaming: a correction written into the watched policies folder re-rates the pending events;
     * a decision taken before it was recorded gets a verdict with RETROACTIVE_CORRECTION that supersedes its ok one.
     */
    @Test
    void aCorrectionWrittenWhileStreamingSupersedesPendingVerdicts() throws Exception {
        Path policies = Files.createDirectories(tmp.resolve("policies-watch"));
        Files.writeString(policies.resolve("price-api.yaml"), POLICY);
        String b = broker.bootstrap();
        StreamOptions o = liveOptions(b, "w", policies, null);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        StreamRunner runner = new StreamRunner(o, Clock.systemUTC());
        Future<StreamRunner.Outcome> run = pool.submit(runner::run);
        try {
            // Live data: event_time now, so the 10 minute hold keeps it pending for the whole test.
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            Feed.publish(b, "w.events", List.of(msg(event("live-1", now.toString(), 4))));
            Feed.publish(b, "w.decisions", List.of(msg(decision("live-d1", "live-1", "4.00", now.plusSeconds(1).toString()))));
            await(b, "w.verdicts", vs -> latest(vs, "live-d1").equals("ok"));
            // Recorded after the decision (now + 1 s) and before the file is written: a correction, as-corrected only.
            while (Instant.now().isBefore(now.plusSeconds(3))) Thread.sleep(50);
            Files.writeString(policies.resolve("price-api.yaml"), withVersion2(now.plusSeconds(2)));
            List<JsonNode> vs = await(b, "w.verdicts", v -> latest(v, "live-d1").equals("finding"));
            JsonNode last = vs.get(vs.size() - 1);
            assertThat(last.get("codes").toString()).contains("RETROACTIVE_CORRECTION");
            assertThat(last.get("version_as_known").asString()).isEqualTo("price-api@v1");
            assertThat(last.get("version_as_corrected").asString()).isEqualTo("price-api@v2");
            assertThat(last.get("supersedes").asString()).isEqualTo("live-d1#1");
        } finally {
            runner.stop();
            run.get(30, TimeUnit.SECONDS);
            runner.close();
            pool.shutdownNow();
        }
    }

    /**
     * A stream that is never idle still reads the policies, and a version written ahead of its recorded_at is taken in
     * when the clock passes it: the pending decision's verdict is superseded (RETROACTIVE_CORRECTION) at that moment, not
     * when the file is read. Before, policies were read only after a poll that came back empty, and a version recorded
     * ahead waited for the next change of the files.
     */
    @Test
    void aBusyStreamTakesInAVersionWrittenAheadWhenItsRecordedAtPasses() throws Exception {
        Path policies = Files.createDirectories(tmp.resolve("policies-ahead"));
        Files.writeString(policies.resolve("price-api.yaml"), POLICY);
        String b = broker.bootstrap();
        StreamOptions o = liveOptions(b, "ah", policies, null);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        StreamRunner runner = new StreamRunner(o, Clock.systemUTC());
        Future<StreamRunner.Outcome> run = pool.submit(runner::run);
        java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean(true);
        Future<?> feeder = null;
        try {
            assertThat(runner.awaitReady(Duration.ofSeconds(60))).isTrue();
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            Feed.publish(b, "ah.events", List.of(msg(event("ah-1", now.toString(), 4))));
            Feed.publish(b, "ah.decisions", List.of(msg(decision("ah-d1", "ah-1", "4.00", now.plusSeconds(1).toString()))));
            await(b, "ah.verdicts", vs -> latest(vs, "ah-d1").equals("ok"));
            // From here on, an event of another customer every 20 ms: no poll of the stream comes back empty.
            feeder = pool.submit(() -> {
                Properties p = Feed.props(b);
                p.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
                p.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
                try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(p)) {
                    for (int i = 0; busy.get(); i++) {
                        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("ah.events", "other",
                                event("ah-busy-" + i, Instant.now().toString(), 1).replace("\"c1\"", "\"other\"")));
                        producer.flush();
                        Thread.sleep(20);
                    }
                }
                return null;
            });
            Thread.sleep(500);
            // Version 2, written now and recorded 6 s from now: read within 2 s, busy as the stream is, and unknown until then.
            Instant recorded = Instant.now().plusSeconds(6).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            Files.writeString(policies.resolve("price-api.yaml"), withVersion2(recorded));
            await(b, "ah.verdicts", v -> latest(v, "ah-d1").equals("finding"));
            List<ConsumerRecord<String, String>> mine = Feed.readCommitted(b, "ah.verdicts").stream()
                    .filter(r -> Feed.JSON.readTree(r.value()).get("decision_id").asString().equals("ah-d1")).toList();
            assertThat(mine).hasSize(2);
            JsonNode last = Feed.JSON.readTree(mine.get(1).value());
            assertThat(last.get("codes").toString()).contains("RETROACTIVE_CORRECTION");
            assertThat(last.get("version_as_known").asString()).isEqualTo("price-api@v1");
            assertThat(last.get("version_as_corrected").asString()).isEqualTo("price-api@v2");
            assertThat(last.get("supersedes").asString()).isEqualTo("ah-d1#1");
            assertThat(Instant.ofEpochMilli(mine.get(1).timestamp())).as("sent when the clock passed recorded_at").isAfterOrEqualTo(recorded);
        } finally {
            busy.set(false);
            if (feeder != null) feeder.get(30, TimeUnit.SECONDS);
            runner.stop();
            run.get(30, TimeUnit.SECONDS);
            runner.close();
            pool.shutdownNow();
        }
    }

    /**
     * With a commit interval, what is read meanwhile goes with the next transaction: 24 messages published one at a time over
     * about 2.4 s make at most one transaction a second (plus the first), not one per poll, and every decision has its verdict.
     */
    @Test
    void aCommitIntervalGathersWhatIsReadMeanwhileIntoOneTransaction() throws Exception {
        Path policies = Files.createDirectories(tmp.resolve("policies-interval"));
        Files.writeString(policies.resolve("price-api.yaml"), POLICY);
        String b = broker.bootstrap();
        StreamOptions o = liveOptions(b, "ci", policies, Duration.ofSeconds(1));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        StreamRunner runner = new StreamRunner(o, Clock.systemUTC());
        Future<StreamRunner.Outcome> run = pool.submit(runner::run);
        try {
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            assertThat(runner.awaitReady(Duration.ofSeconds(60))).isTrue();
            long start = System.nanoTime(), before = runner.totals().transactions();
            for (int i = 0; i < 12; i++) {
                Feed.publish(b, "ci.events", List.of(msg(event("i-" + i, now.toString(), 1))));
                Feed.publish(b, "ci.decisions", List.of(msg(decision("i-d" + i, "i-" + i, "1.00", now.plusSeconds(1).toString()))));
                Thread.sleep(200);
            }
            List<JsonNode> vs = await(b, "ci.verdicts", v -> java.util.stream.IntStream.range(0, 12).allMatch(i -> !latest(v, "i-d" + i).isEmpty()));
            long seconds = (System.nanoTime() - start + 999_999_999L) / 1_000_000_000L;
            assertThat(vs).extracting(v -> v.get("verdict_id").asString()).as(vs.toString()).doesNotHaveDuplicates();
            assertThat(runner.totals().transactions() - before).as("transactions in " + seconds + " s").isBetween(1L, seconds + 1);
        } finally {
            runner.stop();
            run.get(30, TimeUnit.SECONDS);
            runner.close();
            pool.shutdownNow();
        }
    }

    /**
     * A stream of live data on topics PREFIX.* (inputs created with one partition): a 10 minute hold keeps events of today
     * pending for a whole test; no output folder, the given commit interval (null: the default).
     */
    static StreamOptions liveOptions(String b, String prefix, Path policies, Duration commitInterval) throws Exception {
        Feed.createTopics(b, 1, prefix + ".events", prefix + ".decisions");
        return new StreamOptions(b, prefix + ".events", prefix + ".decisions", prefix + ".verdicts", prefix + ".findings", prefix + ".dlq", prefix + ".state",
                prefix, policies.toString(), null, null, null, null, Duration.ofMinutes(10), Duration.ofSeconds(2), null, null, Map.of(), Map.of(),
                new Properties(), null, null, commitInterval);
    }

    /** The status of the decision's last verdict, or "" before its first. */
    static String latest(List<JsonNode> verdicts, String decision) {
        return verdicts.stream().filter(v -> v.get("decision_id").asString().equals(decision)).reduce((x, y) -> y)
                .map(v -> v.get("status").asString()).orElse("");
    }

    static Feed.Message msg(String json) {
        return new Feed.Message("c1", json, Instant.EPOCH, 0);
    }

    static List<JsonNode> await(String b, String topic, Predicate<List<JsonNode>> done) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<JsonNode> got = List.of();
        while (System.nanoTime() < end) {
            got = Feed.readCommitted(b, topic).stream().map(ConsumerRecord::value).map(v -> Feed.JSON.readTree(v)).toList();
            if (done.test(got)) return got;
            Thread.sleep(300);
        }
        throw new AssertionError("timed out waiting on " + topic + "; got " + got);
    }
}
