package dev.attest.stream;

import dev.attest.core.findings.Finding;
import dev.attest.core.findings.Severity;
import dev.attest.core.live.Emission;
import dev.attest.jobs.alert.AlertSink;
import dev.attest.jobs.alert.FindingAlert;
import dev.attest.jobs.alert.LogSink;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Critical and error findings the stream settled, to the scheduler's alert sinks (log line, JSON webhooks): at most one
 * alert per finding fingerprint, and one summary instead when more than {@code summaryOver} arrive within one window
 * (a second).
 *
 * <p>The ledger is a compacted topic, {@code GROUP-ID.alerts} (key = fingerprint): a {@code pending} record is
 * published in the transaction that publishes the finding, and a {@code sent} record after the sinks were tried. A
 * restart reads it: sent fingerprints are never alerted again, pending ones are sent now. So an alert goes out only
 * after its finding committed, at least once, and more than once only when the process died between delivering a
 * window's alerts and recording them (the last window is then sent again).
 */
public final class StreamAlerts implements StreamListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamAlerts.class);
    /** Fingerprints named in a summary. */
    static final int SUMMARY_FINGERPRINTS = 5;

    private final StreamOptions opt;
    private final List<AlertSink> sinks;
    private final int summaryOver;
    private final Duration window;
    private final StreamMetrics metrics; // may be null
    private final Clock clock;
    private final String topic;
    private final String source;
    private final Set<String> known = new HashSet<>(); // alerted or pending; the stream's thread only
    private final List<FindingAlert.Settled> open = new ArrayList<>(); // settled by the batch being judged
    private final List<FindingAlert.Settled> sealed = new ArrayList<>(); // of the transaction being committed
    private final LinkedBlockingQueue<FindingAlert.Settled> queue = new LinkedBlockingQueue<>();
    private volatile boolean closing;
    private Thread dispatcher;
    private KafkaProducer<String, String> marks;

    /**
     * @param sinks       where alerts go (a {@link LogSink} and webhooks)
     * @param summaryOver more alerts than this within one window become one summary
     * @param window      how long alerts are gathered after the first of a window (one second in the command)
     */
    public StreamAlerts(StreamOptions opt, List<AlertSink> sinks, int summaryOver, Duration window, StreamMetrics metrics, Clock clock) {
        if (sinks.isEmpty()) throw new IllegalArgumentException("alerts need at least one sink");
        if (summaryOver < 1) throw new IllegalArgumentException("--alert-summary-over must be >= 1");
        this.opt = opt;
        this.sinks = List.copyOf(sinks);
        this.summaryOver = summaryOver;
        this.window = window;
        this.metrics = metrics;
        this.clock = clock;
        this.topic = opt.groupId() + ".alerts";
        this.source = "stream:" + opt.groupId();
    }

    public String topic() {
        return topic;
    }

    @Override
    public void ready() {
        Properties common = new Properties();
        common.putAll(opt.kafka());
        common.put("bootstrap.servers", opt.bootstrapServers());
        try (Admin admin = Admin.create(common)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1).configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw new IllegalStateException("cannot create the alert ledger " + topic, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the alert ledger " + topic, e);
        }
        int resend = restore(common);
        Properties p = new Properties();
        p.putAll(common);
        p.put("enable.idempotence", "true");
        p.put("acks", "all");
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        marks = new KafkaProducer<>(p);
        LOG.info("alerts: {} fingerprint(s) alerted before, {} pending alert(s) to send again; ledger {}", known.size() - resend, resend, topic);
        dispatcher = new Thread(this::dispatch, "attest-stream-alerts");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    /** Reads the ledger to its end (read_committed: pending records of an aborted transaction are not seen). */
    private int restore(Properties common) {
        Properties p = new Properties();
        p.putAll(common);
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        Map<String, JsonNode> last = new LinkedHashMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = List.of(new TopicPartition(topic, 0));
            c.assign(parts);
            c.seekToBeginning(parts);
            long end = c.endOffsets(parts).get(parts.get(0));
            while (c.position(parts.get(0)) < end)
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) if (r.value() != null) last.put(r.key(), Feed.JSON.readTree(r.value()));
        }
        int pending = 0;
        for (Map.Entry<String, JsonNode> e : last.entrySet()) {
            known.add(e.getKey());
            if (!"pending".equals(e.getValue().path("state").asString())) continue;
            JsonNode a = e.getValue().get("alert");
            queue.add(new FindingAlert.Settled(source, e.getKey(), a.get("code").asString(), a.get("severity").asString(), text(a, "customer_id"),
                    text(a, "event_id"), text(a, "decision_id"), text(a, "billing_period"), text(a, "explanation")));
            pending++;
        }
        return pending;
    }

    private static String text(JsonNode n, String f) {
        return n.hasNonNull(f) ? n.get(f).asString() : null;
    }

    @Override
    public void emitted(Emission e) {
        if (!(e instanceof Emission.Settled s)) return;
        Finding f = s.finding();
        if (!f.severity().atLeast(Severity.ERROR) || !known.add(s.fingerprint())) return;
        open.add(new FindingAlert.Settled(source, s.fingerprint(), f.code().name(), f.severity().wire(), f.customerId(), f.eventId(), f.decisionId(),
                s.billingPeriod(), f.explanation()));
    }

    @Override
    public List<ProducerRecord<String, String>> inTransaction() {
        sealed.addAll(open); // this transaction's: alerted once it committed
        open.clear();
        List<ProducerRecord<String, String>> out = new ArrayList<>();
        for (FindingAlert.Settled a : sealed) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("state", "pending");
            v.put("alert", a.details());
            out.add(new ProducerRecord<>(topic, 0, a.fingerprint(), Feed.JSON.writeValueAsString(v)));
        }
        return out;
    }

    @Override
    public void committed() {
        queue.addAll(sealed);
        sealed.clear();
    }

    /** Windows of alerts: from the first that arrives, gather for {@link #window}, then deliver and record them. */
    private void dispatch() {
        while (true) {
            FindingAlert.Settled first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null;
                closing = true;
            }
            if (first == null) {
                if (closing && queue.isEmpty()) return;
                continue;
            }
            List<FindingAlert.Settled> batch = new ArrayList<>(List.of(first));
            long end = System.nanoTime() + window.toNanos();
            while (!closing && System.nanoTime() < end) {
                try {
                    FindingAlert.Settled next = queue.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (next != null) batch.add(next);
                } catch (InterruptedException e) {
                    closing = true;
                }
            }
            queue.drainTo(batch);
            try {
                deliver(batch);
            } catch (RuntimeException e) {
                LOG.error("alerts of {} finding(s) could not be sent or recorded", batch.size(), e);
            }
        }
    }

    private void deliver(List<FindingAlert.Settled> batch) {
        List<FindingAlert> alerts = new ArrayList<>();
        if (batch.size() > summaryOver) {
            Map<String, Long> codes = new TreeMap<>(), severities = new TreeMap<>();
            for (FindingAlert.Settled a : batch) {
                codes.merge(a.code(), 1L, Long::sum);
                severities.merge(a.severity(), 1L, Long::sum);
            }
            alerts.add(new FindingAlert.Summary(source, batch.size(), codes, severities,
                    batch.stream().limit(SUMMARY_FINGERPRINTS).map(FindingAlert.Settled::fingerprint).toList()));
        } else {
            alerts.addAll(batch);
        }
        for (FindingAlert a : alerts) {
            for (AlertSink sink : sinks) {
                String why = sink.deliver(a);
                if (why == null) continue;
                // Never swallowed: an ERROR line and a counter (attest_stream_alert_delivery_failures_total) per failed delivery.
                LOG.error("alert {} ({}) not delivered to {}: {}", a.type(), a.subject(), sink.name(), why);
                if (metrics != null) metrics.alertFailed(sink instanceof LogSink ? "log" : "webhook");
            }
            if (metrics != null) metrics.alertSent(a.type());
        }
        Map<String, Object> sent = new HashMap<>();
        sent.put("state", "sent");
        sent.put("at", clock.instant().toString());
        sent.put("as", alerts.size() == 1 && batch.size() > 1 ? "finding_summary" : "finding");
        String json = Feed.JSON.writeValueAsString(sent);
        for (FindingAlert.Settled a : batch) marks.send(new ProducerRecord<>(topic, 0, a.fingerprint(), json));
        marks.flush();
    }

    /** Sends what committed and is still queued (no more gathering), then stops. */
    @Override
    public void close() {
        closing = true;
        if (dispatcher != null) {
            try {
                dispatcher.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (dispatcher.isAlive()) LOG.error("alerts: {} alert(s) still queued at exit; the next start sends them", queue.size());
        }
        if (marks != null) marks.close(Duration.ofSeconds(5));
    }
}
