package dev.attest.stream;

import com.sun.net.httpserver.HttpServer;
import dev.attest.core.live.Emission;
import dev.attest.core.live.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream's {@code attest_stream_*} metrics (Micrometer, Prometheus text on {@code /metrics}). Outputs are counted
 * when their transaction commits, so a scrape never counts a verdict that a crash could still take back. Lag is
 * sampled after every poll on the stream's thread and read by the scrape from a number.
 */
public final class StreamMetrics implements StreamListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamMetrics.class);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, AtomicLong> lag = new ConcurrentHashMap<>();
    private final Map<String, Counter> read = new ConcurrentHashMap<>();
    private final Map<String, Counter> findings = new ConcurrentHashMap<>();
    private final Counter verdicts, deadLetters, late, transactions;
    private final Timer check, latency;
    private final VerdictRate rate = new VerdictRate();
    private HttpServer server;

    /** What one transaction published: counted once it committed. */
    private static final class Batch {
        long verdicts, deadLetters, late;
        final List<Emission.Settled> findings = new ArrayList<>();
        long[] decisionTimes = new long[256];
        int decisions;
    }

    // The batch being judged, and the one being committed (sealed by inTransaction, counted by committed).
    private Batch open = new Batch(), sealed;

    private final String eventsTopic;

    /** @param eventsTopic the events' topic: records of the other input topic (decisions) are timed for latency */
    public StreamMetrics(String eventsTopic) {
        this.eventsTopic = eventsTopic;
        verdicts = Counter.builder("attest.stream.verdicts").description("Verdicts published (committed)").register(registry);
        deadLetters = Counter.builder("attest.stream.dead.letters").tag("kind", "bad_message")
                .description("Messages sent to the dead-letter topic (committed): bad_message, or late (after the hold)").register(registry);
        late = Counter.builder("attest.stream.dead.letters").tag("kind", "late")
                .description("Messages sent to the dead-letter topic (committed): bad_message, or late (after the hold)").register(registry);
        transactions = Counter.builder("attest.stream.transactions").description("Transactions committed").register(registry);
        Gauge.builder("attest.stream.verdicts.per.second", rate, VerdictRate::perSecond)
                .description("Verdicts committed per second, over the last 10 s").register(registry);
        check = Timer.builder("attest.stream.check").description("Time to handle one input record in the process (parse, audit, emissions)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(1)).register(registry);
        latency = Timer.builder("attest.stream.decision.latency")
                .description("A decision's record timestamp (as produced) to the commit of the transaction that audited it")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5)).register(registry);
    }

    /** Serves {@code /metrics} on {@code port} of every address (0: a free port; see {@link #port()}). */
    public StreamMetrics serve(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream o = exchange.getResponseBody()) {
                    o.write(body);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("a /metrics request failed: {}", e.toString());
            }
        });
        server.start();
        return this;
    }

    /** The port /metrics is served on, or -1. */
    public int port() {
        return server == null ? -1 : server.getAddress().getPort();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Alert deliveries that failed, per sink kind (log, webhook). */
    public void alertFailed(String sink) {
        Counter.builder("attest.stream.alert.delivery.failures").tag("sink", sink).description("Alert deliveries that failed (logged at ERROR)")
                .register(registry).increment();
    }

    /** Alerts delivered, per type (finding, finding_summary). */
    public void alertSent(String type) {
        Counter.builder("attest.stream.alerts").tag("type", type).description("Alerts sent after their findings committed").register(registry).increment();
    }

    /** The consumer's lag summed over every input partition (-1 before the first poll). */
    public long totalLag() {
        long sum = 0;
        if (lag.isEmpty()) return -1;
        for (AtomicLong l : lag.values()) sum += l.get();
        return sum;
    }

    @Override
    public void polled(Consumer<String, String> consumer) {
        Map<String, Long> sums = new java.util.HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            java.util.OptionalLong l = consumer.currentLag(tp);
            sums.merge(tp.topic(), l.isPresent() ? l.getAsLong() : 0L, Long::sum); // unknown before the first fetch of the partition
        }
        for (Map.Entry<String, Long> e : sums.entrySet())
            lag.computeIfAbsent(e.getKey(), t -> {
                AtomicLong a = new AtomicLong();
                Gauge.builder("attest.stream.consumer.lag", a, AtomicLong::get).tag("topic", t)
                        .description("Records not yet read, summed over the topic's partitions (the consumer's currentLag)").register(registry);
                return a;
            }).set(e.getValue());
    }

    @Override
    public void handled(ConsumerRecord<String, String> r, long nanos) {
        read.computeIfAbsent(r.topic(), t -> Counter.builder("attest.stream.records.read").tag("topic", t).description("Input records read").register(registry))
                .increment();
        check.record(nanos, TimeUnit.NANOSECONDS);
        if (r.timestamp() >= 0 && !r.topic().equals(eventsTopic)) {
            if (open.decisions == open.decisionTimes.length) open.decisionTimes = java.util.Arrays.copyOf(open.decisionTimes, open.decisions * 2);
            open.decisionTimes[open.decisions++] = r.timestamp();
        }
    }

    @Override
    public void emitted(Emission e) {
        if (e instanceof Verdict) open.verdicts++;
        else if (e instanceof Emission.Settled s) open.findings.add(s);
        else if (e instanceof Emission.Late) open.late++;
    }

    @Override
    public void deadLetter(ConsumerRecord<String, String> r) {
        open.deadLetters++;
    }

    @Override
    public List<org.apache.kafka.clients.producer.ProducerRecord<String, String>> inTransaction() {
        sealed = open;
        open = new Batch();
        return List.of();
    }

    @Override
    public void committed() {
        Batch tx = sealed;
        if (tx == null) return;
        sealed = null;
        long now = System.currentTimeMillis();
        for (int i = 0; i < tx.decisions; i++) latency.record(Math.max(0, now - tx.decisionTimes[i]), TimeUnit.MILLISECONDS);
        verdicts.increment(tx.verdicts);
        rate.add(now, tx.verdicts);
        deadLetters.increment(tx.deadLetters);
        late.increment(tx.late);
        for (Emission.Settled s : tx.findings)
            findings.computeIfAbsent(s.finding().code().name() + "|" + s.finding().severity().wire(), k -> Counter.builder("attest.stream.findings")
                    .tag("code", s.finding().code().name()).tag("severity", s.finding().severity().wire()).description("Settled findings published (committed)")
                    .register(registry)).increment();
        transactions.increment();
    }

    @Override
    public void close() {
        if (server != null) server.stop(0);
        registry.close();
    }

    /** Verdicts per second over the last 10 whole seconds, from per-second buckets. */
    static final class VerdictRate {
        private final long[] second = new long[11], count = new long[11];

        synchronized void add(long nowMillis, long n) {
            long s = nowMillis / 1000;
            int i = (int) (s % second.length);
            if (second[i] != s) {
                second[i] = s;
                count[i] = 0;
            }
            count[i] += n;
        }

        synchronized double perSecond() {
            long s = System.currentTimeMillis() / 1000, sum = 0;
            for (int i = 0; i < second.length; i++) if (second[i] < s && second[i] >= s - 10) sum += count[i];
            return sum / 10.0;
        }
    }
}
