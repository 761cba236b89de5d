package dev.attest.stream;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.JsonNode;

/**
 * {@code attest demo --stream} (issue 18): generated data published at a steady rate to a broker, audited by
 * {@code attest stream} in this process, watched by an independent read_committed consumer of the verdicts. Latency is
 * measured honestly: from the moment a decision is handed to the producer to the moment its first verdict is readable
 * by that consumer (so it includes batching, the stream's transaction and the commit marker).
 */
public final class StreamDemo {
    /** What the demo measured, and the settled findings (code,event_id,decision_id) to compare with the batch audit. */
    public record Result(long events, long decisions, double publishSeconds, long verdicts, double verdictsPerSecond, Map<String, Long> findingsPerCode,
                         List<String> findings, long measured, long p50, long p95, long p99, long max, long lagAtLoadEnd, long lagZeroAfterMs,
                         long deadLetters, long eventAfter, long joinedP50, long joinedP95, long joinedP99, StreamRunner.Timings timings,
                         long warmUp) {}

    /** Messages streamed untimed on topics of their own before the timed run: what a long-running JVM has compiled already. */
    static final int WARM_UP = Integer.getInteger("attest.demo.warmup", 80_000);

    private StreamDemo() {}

    /**
     * @param bootstrap a broker to use, or null: start one from this build's Kafka jars under {@code work/broker}
     * @param rate      messages per second (events and decisions together)
     */
    public static Result run(Path data, String customers, Path work, String bootstrap, int rate) throws Exception {
        LocalBroker broker = bootstrap == null ? LocalBroker.start(work.resolve("broker"), LocalBroker.buildClasspath()) : null;
        String b = bootstrap != null ? bootstrap : broker.bootstrap();
        String prefix = "demo-" + Long.toHexString(System.nanoTime());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            try (Admin a = Admin.create(Feed.props(b))) {
                a.createTopics(List.of(new NewTopic(prefix + ".events", 3, (short) 1), new NewTopic(prefix + ".decisions", 3, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
            }
            List<ParquetFeed.Message> events = ParquetFeed.events(data), decisions = ParquetFeed.decisions(data);
            // Both topics in one arrival order, at a steady rate.
            List<Object[]> all = new ArrayList<>();
            for (ParquetFeed.Message m : events) all.add(new Object[] {".events", m});
            for (ParquetFeed.Message m : decisions) all.add(new Object[] {".decisions", m});
            all.sort(Comparator.comparing((Object[] x) -> ((ParquetFeed.Message) x[1]).arrival()));
            long warmedUp = warmUp(b, data, customers, pool, all.subList(0, Math.min(all.size(), WARM_UP)));

            StreamRunner runner = new StreamRunner(options(b, prefix, data, customers), Clock.systemUTC());
            Future<StreamRunner.Outcome> streaming = pool.submit(runner::run);
            // Timing starts once the stream is reading: its start-up (topics, transactions, state) is not latency.
            while (!runner.awaitReady(Duration.ofMillis(200))) if (streaming.isDone()) streaming.get();

            Map<String, Long> sent = new ConcurrentHashMap<>(), first = new ConcurrentHashMap<>(), eventSent = new ConcurrentHashMap<>();
            Map<String, String> eventOf = new java.util.HashMap<>(); // decision_id -> event_id, to tell the data's order from the stream's delay
            for (ParquetFeed.Message m : decisions) {
                JsonNode d = ParquetFeed.JSON.readTree(m.json());
                if (d.hasNonNull("event_id")) eventOf.put(m.id(), d.get("event_id").asString());
            }
            AtomicBoolean watching = new AtomicBoolean(true);
            AtomicLong verdicts = new AtomicLong();
            AtomicBoolean watcherReady = new AtomicBoolean();
            Future<?> watcher = pool.submit(() -> watch(b, prefix + ".verdicts", first, verdicts, watching, watcherReady));
            while (!watcherReady.get()) Thread.sleep(20);

            long t0 = System.nanoTime();
            try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps(b))) {
                for (int i = 0; i < all.size(); i++) {
                    long due = t0 + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                    ParquetFeed.Message m = (ParquetFeed.Message) all.get(i)[1];
                    String topic = prefix + all.get(i)[0];
                    if (topic.endsWith(".decisions")) sent.put(m.id(), System.currentTimeMillis());
                    else eventSent.putIfAbsent(m.id(), System.currentTimeMillis());
                    p.send(new ProducerRecord<>(topic, m.key(), m.json()));
                }
                p.flush();
            }
            double publishSeconds = (System.nanoTime() - t0) / 1e9;
            long loadEnd = System.currentTimeMillis();
            long lagAtEnd = decisions.size() - first.size();
            long deadline = System.currentTimeMillis() + 60_000;
            while (first.size() < sent.size() && System.currentTimeMillis() < deadline) Thread.sleep(5);
            long lagZeroAfter = System.currentTimeMillis() - loadEnd;
            StreamRunner.Outcome outcome = streaming.get(10, TimeUnit.MINUTES);
            watching.set(false);
            watcher.get(30, TimeUnit.SECONDS);
            runner.close();

            long[] lat = sent.entrySet().stream().filter(e -> first.containsKey(e.getKey())).mapToLong(e -> Math.max(0, first.get(e.getKey()) - e.getValue()))
                    .sorted().toArray();
            // The data's own order: a decision published before its event cannot be judged before the event comes (its first
            // verdict waits for the customer's events to pass its decided_at). Timed from when both were published:
            long eventAfter = 0;
            List<Long> joined = new ArrayList<>();
            for (Map.Entry<String, Long> e : sent.entrySet()) {
                Long f = first.get(e.getKey());
                Long ev = eventSent.get(eventOf.getOrDefault(e.getKey(), ""));
                if (ev != null && ev > e.getValue()) eventAfter++;
                if (f != null) joined.add(Math.max(0, f - Math.max(e.getValue(), ev == null ? 0 : ev)));
            }
            long[] jl = joined.stream().mapToLong(Long::longValue).sorted().toArray();
            String dump = System.getProperty("attest.demo.latencies"); // decision_id,sent_ms,first_verdict_ms: for looking at the tail
            if (dump != null) {
                List<String> lines = new ArrayList<>();
                sent.forEach((id, at) -> lines.add(id + "," + at + "," + first.getOrDefault(id, -1L)));
                java.nio.file.Files.write(Path.of(dump), lines);
            }
            Map<String, Long> perCode = new TreeMap<>();
            List<String> findings = new ArrayList<>();
            for (ConsumerRecord<String, String> r : Feed.readCommitted(b, prefix + ".findings")) {
                JsonNode f = ParquetFeed.JSON.readTree(r.value());
                perCode.merge(f.get("code").asString(), 1L, Long::sum);
                findings.add(f.get("code").asString() + "," + text(f, "event_id") + "," + text(f, "decision_id"));
            }
            findings.sort(null);
            StreamRunner.Totals t = outcome instanceof StreamRunner.Idle i ? i.totals() : ((StreamRunner.Stopped) outcome).totals();
            return new Result(events.size(), decisions.size(), publishSeconds, verdicts.get(), verdicts.get() / Math.max(publishSeconds, 1e-9), perCode,
                    findings, lat.length, pct(lat, 50), pct(lat, 95), pct(lat, 99), lat.length == 0 ? 0 : lat[lat.length - 1], lagAtEnd, lagZeroAfter,
                    t.deadLetters() + t.late(), eventAfter, pct(jl, 50), pct(jl, 95), pct(jl, 99), runner.timings(), warmedUp);
        } finally {
            pool.shutdownNow();
            if (broker != null) broker.close();
        }
    }

    private static StreamOptions options(String b, String prefix, Path data, String customers) {
        return new StreamOptions(b, prefix + ".events", prefix + ".decisions", prefix + ".verdicts", prefix + ".findings",
                prefix + ".dead-letters", prefix + ".state", prefix, data.resolve("policies").toString(), customers, null, null, null,
                Duration.ofHours(12), Duration.ofSeconds(2), Duration.ofHours(1), null, Map.of(), Map.of(), new Properties(),
                Duration.ofSeconds(3), null);
    }

    /**
     * The first messages of the data through a throwaway stream on topics of their own, as fast as they go: the timed run
     * then measures a stream whose code the JVM has compiled (a service runs for days; its first seconds are not its latency).
     */
    private static long warmUp(String b, Path data, String customers, ExecutorService pool, List<Object[]> messages) throws Exception {
        String prefix = "warm-" + Long.toHexString(System.nanoTime());
        try (Admin a = Admin.create(Feed.props(b))) {
            a.createTopics(List.of(new NewTopic(prefix + ".events", 3, (short) 1), new NewTopic(prefix + ".decisions", 3, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        try (StreamRunner runner = new StreamRunner(options(b, prefix, data, customers), Clock.systemUTC())) {
            Future<StreamRunner.Outcome> streaming = pool.submit(runner::run);
            while (!runner.awaitReady(Duration.ofMillis(200))) if (streaming.isDone()) streaming.get();
            try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps(b))) {
                for (Object[] x : messages) {
                    ParquetFeed.Message m = (ParquetFeed.Message) x[1];
                    p.send(new ProducerRecord<>(prefix + x[0], m.key(), m.json()));
                }
                p.flush();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (runner.totals().read() < messages.size() && System.nanoTime() < deadline && !streaming.isDone()) Thread.sleep(20);
            runner.stop();
            streaming.get(30, TimeUnit.SECONDS);
        }
        return messages.size();
    }

    /** The independent reader: read_committed, every verdict; the first of each decision is timed on arrival. */
    private static void watch(String b, String topic, Map<String, Long> first, AtomicLong count, AtomicBoolean watching, AtomicBoolean ready) {
        Properties p = Feed.props(b);
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("isolation.level", "read_committed");
        p.put("fetch.max.wait.ms", "5");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = List.of();
            while (parts.isEmpty() && watching.get()) {
                var infos = c.partitionsFor(topic);
                if (infos != null && !infos.isEmpty()) parts = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
                else sleep(50);
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            c.poll(Duration.ZERO);
            ready.set(true);
            while (watching.get()) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(20))) {
                    long now = System.currentTimeMillis();
                    count.incrementAndGet();
                    JsonNode v = ParquetFeed.JSON.readTree(r.value());
                    first.putIfAbsent(v.get("decision_id").asString(), now);
                }
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long pct(long[] sorted, int p) {
        if (sorted.length == 0) return 0;
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static String text(JsonNode n, String f) {
        return n.hasNonNull(f) ? n.get(f).asString() : "";
    }

    private static Properties producerProps(String b) {
        Properties p = Feed.props(b);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("linger.ms", "1");
        p.put("acks", "all");
        return p;
    }

    /** The demo's lines for people (standard error). */
    public static List<String> describe(Result r) {
        List<String> out = new ArrayList<>(Arrays.asList(
                String.format(java.util.Locale.ROOT, "stream: published %d events and %d decisions in %.1f s (%.0f messages/s)", r.events(), r.decisions(),
                        r.publishSeconds(), (r.events() + r.decisions()) / Math.max(r.publishSeconds(), 1e-9)),
                String.format(java.util.Locale.ROOT, "stream: %d verdicts (%.0f verdicts/s over the load), %d settled findings, %d dead letters",
                        r.verdicts(), r.verdictsPerSecond(), r.findings().size(), r.deadLetters()),
                "stream: findings per code: " + r.findingsPerCode(),
                String.format(java.util.Locale.ROOT, "stream: latency to the first verdict (produced -> readable by a read_committed consumer) over %d decisions "
                        + "(after %d messages of warm-up on other topics): p50 %d ms, p95 %d ms, p99 %d ms, max %d ms", r.measured(), r.warmUp(), r.p50(),
                        r.p95(), r.p99(), r.max()),
                String.format(java.util.Locale.ROOT, "stream: %d decisions were published before their event; from when both were published: "
                        + "p50 %d ms, p95 %d ms, p99 %d ms", r.eventAfter(), r.joinedP50(), r.joinedP95(), r.joinedP99()),
                String.format(java.util.Locale.ROOT, "stream: inside the process: check of a record p50 %d us, p99 %d us, max %d us (%d records); "
                        + "transaction commit p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d transactions)", r.timings().checkP50(), r.timings().checkP99(),
                        r.timings().checkMax(), r.timings().checks(), r.timings().commitP50() / 1e3, r.timings().commitP99() / 1e3,
                        r.timings().commitMax() / 1e3, r.timings().commits()),
                String.format(java.util.Locale.ROOT, "stream: decisions without a verdict when the load stopped: %d; all had one %d ms later "
                        + "(%.0f decisions/s from the first message to the last first verdict)", r.lagAtLoadEnd(), r.lagZeroAfterMs(),
                        r.decisions() / Math.max(r.publishSeconds() + r.lagZeroAfterMs() / 1e3, 1e-9))));
        return out;
    }
}
