package dev.attest.stream;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.JsonNode;

/**
 * One measured load of {@code attest stream} (for {@code attest demo --stream} and {@code attest bench --stream}):
 * messages published at a steady rate to fresh topics of a broker, the stream running in this process, and an
 * independent read_committed consumer of the verdicts. Latency is measured honestly: from the moment a decision is
 * handed to the producer to the moment its first verdict is readable by that consumer (so it includes batching, the
 * stream's transaction and the commit marker). Consumer lag is the stream's own ({@link StreamMetrics}), sampled every
 * second; the check and commit times are the stream's own ({@link StreamRunner#timings()}).
 */
public final class StreamLoad {
    /**
     * @param prefix            topic and group prefix (fresh topics: PREFIX.events, PREFIX.decisions, PREFIX.verdicts, ...)
     * @param messagesPerSecond events and decisions together
     * @param drainTimeout      after the load, how long to wait for the stream to catch up before stopping it
     * @param warmUp            the first this many messages first go untimed through a throwaway stream ({@link #WARM_UP})
     */
    /** @param kafka Kafka client properties of the stream under load (its consumer and producers), as --kafka-property gives them */
    public record Settings(String bootstrap, String prefix, String policies, String customers, double messagesPerSecond, int partitions,
                           Duration drainTimeout, int warmUp, Properties kafka) {
        public Settings {
            kafka = kafka == null ? new Properties() : kafka;
        }
    }

    /**
     * What one load measured.
     *
     * @param lagSamples          the stream's consumer lag (records, both topics) once a second during the load
     * @param lagZeroAfterMs      load end to the stream's consumer lag at 0 (-1: not within the drain timeout)
     * @param decisionsWithout    decisions without a verdict readable when the load stopped
     * @param verdictsDoneAfterMs load end to every decision having a readable verdict (-1: not within the drain timeout)
     */
    public record Measured(String prefix, long events, long decisions, double publishSeconds, long verdicts, long measured, long p50, long p95,
                           long p99, long max, long decisionsWithout, long verdictsDoneAfterMs, long[] lagSamples, long lagZeroAfterMs,
                           StreamRunner.Totals totals, long eventAfter, long joinedP50,
                           long joinedP95, long joinedP99, StreamRunner.Timings timings, long warmUp) {
        public double decisionsPerSecond() {
            return decisions / Math.max(publishSeconds, 1e-9);
        }

        public double messagesPerSecond() {
            return (events + decisions) / Math.max(publishSeconds, 1e-9);
        }

        public double verdictsPerSecond() {
            return verdicts / Math.max(publishSeconds, 1e-9);
        }

        public long lagMax() {
            return Arrays.stream(lagSamples).max().orElse(0);
        }

        /** Least-squares slope of the lag samples, records per second: how fast the stream fell behind (> 0) or caught up. */
        public double lagSlope() {
            int n = lagSamples.length;
            if (n < 2) return 0;
            double mx = (n - 1) / 2.0, my = Arrays.stream(lagSamples).average().orElse(0), sxy = 0, sxx = 0;
            for (int i = 0; i < n; i++) {
                sxy += (i - mx) * (lagSamples[i] - my);
                sxx += (i - mx) * (i - mx);
            }
            return sxy / sxx;
        }

        /** Bounded: the lag grew by less than 1% of the message rate per second over the load (noise, not a backlog). */
        public boolean lagGrew() {
            return lagSlope() > 0.01 * messagesPerSecond();
        }
    }

    /**
     * Messages streamed untimed, as fast as they go, through a throwaway stream on topics of their own before the timed
     * run: what a long-running JVM (and broker) has compiled already. A service runs for days; its first seconds are not
     * its latency. {@code -Dattest.demo.warmup=0} measures a cold stream.
     * <p>400,000 rather than 120,000 (the demo's data ten times instead of three; about 24 s more): after 120,000, C2 was
     * still compiling the stream's first-time methods through the timed run, at 36-40% of a core in this JVM, and the demo
     * printed p50 31-38 ms, p99 76-87 ms; after 400,000, C2 24-29%, p50 20-30 ms, p99 51-77 ms (four pairs, alternated;
     * docs/stream.md, tenth round). The broker's C2 stayed at about a third of a core either way.
     */
    public static final int WARM_UP = Integer.getInteger("attest.demo.warmup", 400_000);

    private StreamLoad() {}

    private static StreamOptions options(String b, String prefix, String policies, String customers, Properties kafka) {
        return new StreamOptions(b, prefix + ".events", prefix + ".decisions", prefix + ".verdicts", prefix + ".findings",
                prefix + ".dead-letters", prefix + ".state", prefix, policies, customers, null, null, null,
                Duration.ofHours(12), Duration.ofSeconds(2), Duration.ofHours(1), null, Map.of(), Map.of(), kafka,
                Duration.ofSeconds(3), null, null);
    }

    /**
     * The warm-up's last seconds are a rehearsal: a load at the measured rate through the same steps as the timed run (its
     * own topics, a stream, a publisher, the read_committed reader, the lag sampler), measured and thrown away. As fast as
     * they go, the stream sees polls of up to 2,000 records and large transactions, not a steady load's small ones (the
     * timed run's first second was p50 89-121 against ~40 ms). And a warm-up that skipped the reader and the sampler left
     * the JIT's code specialised for the call sites it had seen: when the timed run's new clients came, Kafka's client code
     * was deoptimised at its type checks (133 deoptimisations in the second before the load, recorded with JFR) and C2
     * recompiled it at about a core for the load's first 10 s, whose per-second p50 was 65-400 ms. After a rehearsal,
     * 30-60 ms, and p50 over 60 s at 10,000/s 11-14 ms against 20-39 ms (three pairs alternated; docs/stream.md, twelfth
     * round). {@code -Dattest.demo.warmupPaced=0} (seconds) leaves the rehearsal out.
     */
    public static final long WARM_UP_PACED_SECONDS = Long.getLong("attest.demo.warmupPaced", 8);

    private static long warmUp(Settings s, ExecutorService pool, List<Object[]> messages) throws Exception {
        if (messages.isEmpty()) return 0;
        String prefix = "warm-" + Long.toHexString(System.nanoTime());
        Feed.createTopics(s.bootstrap(), s.partitions(), prefix + ".events", prefix + ".decisions");
        // With the observers the measured stream has (its metrics): their code is then compiled before the timing starts too.
        StreamOptions o = options(s.bootstrap(), prefix, s.policies(), s.customers(), s.kafka());
        try (StreamMetrics metrics = new StreamMetrics(o.eventsTopic()); StreamRunner runner = new StreamRunner(o, Clock.systemUTC(), metrics)) {
            Future<StreamRunner.Outcome> streaming = pool.submit(runner::run);
            while (!runner.awaitReady(Duration.ofMillis(200))) if (streaming.isDone()) streaming.get();
            try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps(s.bootstrap()))) {
                for (int i = 0; i < messages.size(); i++) {
                    ParquetFeed.Message m = (ParquetFeed.Message) messages.get(i)[1];
                    p.send(new ProducerRecord<>(prefix + messages.get(i)[0], m.key(), m.json()));
                }
                p.flush();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (runner.totals().read() < messages.size() && System.nanoTime() < deadline && !streaming.isDone()) Thread.sleep(20);
            runner.stop();
            streaming.get(30, TimeUnit.SECONDS);
        }
        deleteTopics(s.bootstrap(), prefix);
        return messages.size();
    }

    public static Measured run(Settings s, List<ParquetFeed.Message> events, List<ParquetFeed.Message> decisions) throws Exception {
        // Both topics in one arrival order, published at a steady rate (sorted first: the stream exits when idle).
        List<Object[]> all = new ArrayList<>(events.size() + decisions.size());
        for (ParquetFeed.Message m : events) all.add(new Object[] {".events", m});
        for (ParquetFeed.Message m : decisions) all.add(new Object[] {".decisions", m});
        all.sort(Comparator.comparing((Object[] x) -> ((ParquetFeed.Message) x[1]).arrival()));
        long warmedUp = 0;
        if (s.warmUp() > 0 && !all.isEmpty()) {
            int rehearsal = (int) Math.min(Math.min(all.size(), s.warmUp()), s.messagesPerSecond() * WARM_UP_PACED_SECONDS);
            ExecutorService pool = Executors.newFixedThreadPool(1);
            try {
                // More warm-up than there is data goes through the data again, each pass on topics of its own.
                while (warmedUp < s.warmUp() - rehearsal) warmedUp += warmUp(s, pool, all.subList(0, (int) Math.min(all.size(), s.warmUp() - rehearsal - warmedUp)));
            } finally {
                pool.shutdown();
            }
            if (rehearsal > 0) {
                String prefix = "rehearsal-" + Long.toHexString(System.nanoTime());
                try {
                    measure(s, prefix, all.subList(0, rehearsal), 0, false);
                } finally {
                    deleteTopics(s.bootstrap(), prefix);
                }
                warmedUp += rehearsal;
            }
        }
        return measure(s, s.prefix(), all, warmedUp, true);
    }

    /** Deletes the topics named {@code prefix.*}: nothing reads a warm-up's topics again, and the broker would go on holding (and compacting) them. */
    private static void deleteTopics(String bootstrap, String prefix) throws Exception {
        try (Admin a = Admin.create(Feed.props(bootstrap))) {
            Set<String> names = new java.util.HashSet<>(a.listTopics().names().get(30, TimeUnit.SECONDS));
            names.removeIf(n -> !n.startsWith(prefix + "."));
            a.deleteTopics(names).all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * One timed load of {@code all} (topic suffix, message; in arrival order) on fresh topics {@code prefix.*}; {@code timed}:
     * the one whose latencies {@code -Dattest.demo.latencies} dumps (not the rehearsal's).
     */
    private static Measured measure(Settings s, String prefix, List<Object[]> all, long warmedUp, boolean timed) throws Exception {
        String b = s.bootstrap();
        List<ParquetFeed.Message> events = new ArrayList<>(), decisions = new ArrayList<>();
        for (Object[] x : all) (x[0].equals(".events") ? events : decisions).add((ParquetFeed.Message) x[1]);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        StreamRunner runner = null;
        AtomicBoolean watching = new AtomicBoolean(true), loading = new AtomicBoolean(true);
        try {
            Feed.createTopics(b, s.partitions(), prefix + ".events", prefix + ".decisions");
            StreamOptions o = options(b, prefix, s.policies(), s.customers(), s.kafka());
            StreamMetrics metrics = new StreamMetrics(o.eventsTopic());
            runner = new StreamRunner(o, Clock.systemUTC(), metrics);
            Future<StreamRunner.Outcome> streaming = pool.submit(runner::run);
            // Timing starts once the stream is reading: its start-up (topics, transactions, state) is not latency.
            while (!runner.awaitReady(Duration.ofMillis(200))) if (streaming.isDone()) streaming.get();

            Times times = new Times(events, decisions);
            AtomicLong verdicts = new AtomicLong();
            AtomicBoolean watcherReady = new AtomicBoolean();
            Future<?> watcher = pool.submit(() -> watch(b, prefix + ".verdicts", times, verdicts, watching, watcherReady));
            while (!watcherReady.get()) Thread.sleep(20);

            List<Long> lag = new ArrayList<>();
            Future<?> sampler = pool.submit(() -> {
                long next = System.nanoTime() + 1_000_000_000L;
                while (loading.get()) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) sleep(Math.max(1, Math.min(20, wait / 1_000_000))); // short naps: the load's end is timed
                    else {
                        synchronized (lag) {
                            lag.add(Math.max(0, metrics.totalLag()));
                        }
                        next += 1_000_000_000L;
                    }
                }
            });
            long t0 = System.nanoTime();
            try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps(b))) {
                for (int i = 0; i < all.size(); i++) {
                    if ((i & 1023) == 0 && streaming.isDone()) failed(streaming, t0, i, all.size(), true); // say why now, not after the load
                    awaitDue(t0, i, s.messagesPerSecond());
                    ParquetFeed.Message m = (ParquetFeed.Message) all.get(i)[1];
                    String topic = prefix + all.get(i)[0];
                    if (topic.endsWith(".decisions")) times.sent(m.id(), System.currentTimeMillis());
                    else times.eventSent(m.id(), System.currentTimeMillis());
                    p.send(new ProducerRecord<>(topic, m.key(), m.json()));
                }
                p.flush();
            }
            double publishSeconds = (System.nanoTime() - t0) / 1e9;
            loading.set(false);
            sampler.get();
            long loadEnd = System.currentTimeMillis();
            long without = decisions.size() - times.firstCount.get();
            long deadline = loadEnd + s.drainTimeout().toMillis();
            long lagZero = -1, done = -1, ended = -1;
            while (System.currentTimeMillis() < deadline && (lagZero < 0 || done < 0)) {
                long now = System.currentTimeMillis();
                if (streaming.isDone()) {
                    failed(streaming, t0, all.size(), all.size(), false); // throws only when it failed
                    if (ended < 0) ended = now;
                    else if (now - ended > 10_000) break; // ended idle 10 s ago: what has no verdict gets none from this run
                }
                if (lagZero < 0 && metrics.totalLag() == 0) lagZero = now - loadEnd;
                if (done < 0 && times.firstCount.get() >= times.sentCount) done = now - loadEnd;
                Thread.sleep(2);
            }
            StreamRunner.Outcome outcome;
            try {
                outcome = streaming.get(done >= 0 ? 10 : 0, TimeUnit.MINUTES);
            } catch (TimeoutException e) {
                runner.stop(); // behind after the drain timeout: the figures say so
                outcome = streaming.get(2, TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException e) {
                failed(streaming, t0, all.size(), all.size(), true);
                throw e;
            }
            watching.set(false);
            watcher.get(30, TimeUnit.SECONDS);

            List<Long> latencies = new ArrayList<>(), joined = new ArrayList<>();
            // The data's own order: a decision published before its event cannot be judged before the event comes (its first
            // verdict waits for the customer's events to pass its decided_at). Timed from when both were published:
            long eventAfter = 0;
            for (int i = 0; i < times.ids.length; i++) {
                long at = times.sent[i], f = times.first[i];
                if (at == 0) continue; // not published
                long ev = times.eventOf[i] < 0 ? 0 : times.eventSent[times.eventOf[i]];
                if (ev > at) eventAfter++;
                if (f != 0) {
                    latencies.add(Math.max(0, f - at));
                    joined.add(Math.max(0, f - Math.max(at, ev)));
                }
            }
            long[] lat = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] jl = joined.stream().mapToLong(Long::longValue).sorted().toArray();
            // decision_id,sent_ms,first_verdict_ms,verdict_sent_ms (the verdict record's timestamp): for looking at the tail
            String dump = System.getProperty("attest.demo.latencies");
            if (dump != null && timed) {
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < times.ids.length; i++)
                    if (times.sent[i] != 0) lines.add(times.ids[i] + "," + times.sent[i] + "," + (times.first[i] == 0 ? -1 : times.first[i]) + ","
                            + (times.first[i] == 0 ? -1 : times.stamped[i]));
                java.nio.file.Files.write(java.nio.file.Path.of(dump), lines);
            }
            StreamRunner.Totals t = outcome instanceof StreamRunner.Idle i ? i.totals() : ((StreamRunner.Stopped) outcome).totals();
            long[] samples;
            synchronized (lag) {
                samples = lag.stream().mapToLong(Long::longValue).toArray();
            }
            return new Measured(prefix, events.size(), decisions.size(), publishSeconds, verdicts.get(), lat.length, pct(lat, 50), pct(lat, 95), pct(lat, 99),
                    lat.length == 0 ? 0 : lat[lat.length - 1], without, done, samples, lagZero, t, eventAfter, pct(jl, 50), pct(jl, 95), pct(jl, 99), runner.timings(), warmedUp);
        } finally {
            watching.set(false); // the reader and the sampler end on their own (an interrupted consumer logs its close as an error)
            loading.set(false);
            if (runner != null) {
                runner.stop();
                runner.close();
            }
            pool.shutdown();
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) pool.shutdownNow();
        }
    }

    /**
     * When each decision was published and its first verdict read, in arrays by decision: the publisher and the reader
     * write longs into them. As maps (four of up to 600,000 entries, written 10,000 times a second) they left G1 old
     * objects pointing at new ones all over, whose cards every young pause of the JVM the stream shares had to scan.
     * The indexes are built before the load and only read during it.
     */
    static final class Times {
        final String[] ids; // one slot per distinct decision_id
        final long[] sent, first, stamped, eventSent; // epoch ms; 0: not yet
        final int[] eventOf; // the slot of the decision's event, -1: none among the load's events
        private final Map<String, Integer> slots = new java.util.HashMap<>(), eventSlots = new java.util.HashMap<>();
        final java.util.concurrent.atomic.AtomicInteger firstCount = new java.util.concurrent.atomic.AtomicInteger();
        int sentCount; // distinct decisions published (the publisher's thread writes it and reads it after the load)

        Times(List<ParquetFeed.Message> events, List<ParquetFeed.Message> decisions) {
            for (ParquetFeed.Message e : events) eventSlots.putIfAbsent(e.id(), eventSlots.size());
            List<String> distinct = new ArrayList<>();
            List<Integer> eventOfSlot = new ArrayList<>();
            for (ParquetFeed.Message m : decisions) {
                if (slots.putIfAbsent(m.id(), slots.size()) != null) continue;
                distinct.add(m.id());
                JsonNode d = ParquetFeed.JSON.readTree(m.json());
                eventOfSlot.add(d.hasNonNull("event_id") ? eventSlots.getOrDefault(d.get("event_id").asString(), -1) : -1);
            }
            ids = distinct.toArray(String[]::new);
            eventOf = eventOfSlot.stream().mapToInt(Integer::intValue).toArray();
            sent = new long[ids.length];
            first = new long[ids.length];
            stamped = new long[ids.length];
            eventSent = new long[eventSlots.size()];
        }

        /** A decision published (again: the last time counts, as a map's put did). */
        void sent(String decisionId, long at) {
            int i = slots.get(decisionId);
            if (sent[i] == 0) sentCount++;
            sent[i] = at;
        }

        /** An event published: the first time counts. */
        void eventSent(String eventId, long at) {
            int i = eventSlots.get(eventId);
            if (eventSent[i] == 0) eventSent[i] = at;
        }

        /** A verdict read: the decision's first one is timed, with its record timestamp (when the stream sent it). */
        void read(String decisionId, long at, long recordTimestamp) {
            Integer i = slots.get(decisionId);
            if (i == null || first[i] != 0) return; // not one of the load's decisions, or not its first verdict
            stamped[i] = recordTimestamp;
            first[i] = at;
            firstCount.incrementAndGet();
        }
    }

    /** Sleeps until message {@code i} of a steady load that started at {@code t0} ({@link System#nanoTime}) is due. */
    private static void awaitDue(long t0, long i, double perSecond) throws InterruptedException {
        long wait = t0 + (long) (i * 1e9 / perSecond) - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
    }

    /** For a stream that ended: its failure, with how far the load got; {@code endedIsFailure}: ending at all is one. */
    private static void failed(Future<StreamRunner.Outcome> streaming, long t0, int published, int total, boolean endedIsFailure) throws Exception {
        try {
            streaming.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT, "the stream failed %.1f s into the load (%,d of %,d messages published): %s",
                    (System.nanoTime() - t0) / 1e9, published, total, e.getCause()), e.getCause());
        }
        if (endedIsFailure) throw new IllegalStateException("the stream ended during the load (idle for --exit-when-idle while messages were still coming)");
    }

    /** The independent reader: read_committed, every verdict; the first of each decision is timed on arrival. */
    private static void watch(String b, String topic, Times times, AtomicLong count, AtomicBoolean watching,
                              AtomicBoolean ready) {
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
                    String id = decisionId(r.value());
                    times.read(id, now, r.timestamp());
                }
            }
        }
    }

    /**
     * A verdict's decision_id, read by a streaming parser that stops at it (its second field): the reader shares the
     * machine with what it measures, and reading each verdict into a tree was half its CPU.
     */
    static String decisionId(String verdict) {
        try (tools.jackson.core.JsonParser p = ParquetFeed.JSON.createParser(verdict)) {
            if (p.nextToken() != tools.jackson.core.JsonToken.START_OBJECT) throw new IllegalStateException("a verdict that is not a JSON object: " + verdict);
            for (tools.jackson.core.JsonToken t = p.nextToken(); t == tools.jackson.core.JsonToken.PROPERTY_NAME; t = p.nextToken()) {
                boolean wanted = "decision_id".equals(p.currentName());
                p.nextToken();
                if (wanted) return p.getString();
                p.skipChildren();
            }
        }
        throw new IllegalStateException("a verdict without a decision_id: " + verdict);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static long pct(long[] sorted, int p) {
        if (sorted.length == 0) return 0;
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static Properties producerProps(String b) {
        Properties p = Feed.props(b);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("linger.ms", "1");
        p.put("acks", "all");
        return p;
    }
}
