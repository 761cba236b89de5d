package dev.attest.stream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import tools.jackson.databind.JsonNode;

/**
 * {@code attest demo --stream} (issue 18): generated data published at a steady rate to a broker, audited by
 * {@code attest stream} in this process, watched by an independent read_committed consumer of the verdicts. Latency is
 * measured honestly: from the moment a decision is handed to the producer to the moment its first verdict is readable
 * by that consumer (so it includes batching, the stream's transaction and the commit marker); the load and its
 * measurement are {@link StreamLoad}'s, shared with {@code attest bench --stream}.
 */
public final class StreamDemo {
    /** What the demo measured, and the settled findings (code,event_id,decision_id) to compare with the batch audit. */
    public record Result(long events, long decisions, double publishSeconds, long verdicts, double verdictsPerSecond, Map<String, Long> findingsPerCode,
                         List<String> findings, long measured, long p50, long p95, long p99, long max, long lagAtLoadEnd, long lagZeroAfterMs,
                         long deadLetters, long consumerLagMax, long consumerLagZeroAfterMs, long eventAfter, long joinedP50, long joinedP95,
                         long joinedP99, StreamRunner.Timings timings, long warmUp, String broker) {}

    private StreamDemo() {}

    /**
     * @param bootstrap a broker to use, or null: start one from this build's Kafka jars under {@code work/broker}
     * @param rate      messages per second (events and decisions together)
     */
    public static Result run(Path data, String customers, Path work, String bootstrap, int rate) throws Exception {
        LocalBroker broker = bootstrap == null ? LocalBroker.start(work.resolve("broker"), LocalBroker.buildClasspath()) : null;
        String b = bootstrap != null ? bootstrap : broker.bootstrap();
        try {
            List<ParquetFeed.Message> events = ParquetFeed.events(data), decisions = ParquetFeed.decisions(data);
            StreamLoad.Measured m = StreamLoad.run(new StreamLoad.Settings(b, "demo-" + Long.toHexString(System.nanoTime()), data.resolve("policies").toString(),
                    customers, rate, 3, Duration.ofMinutes(10), StreamLoad.WARM_UP, null), events, decisions);
            Map<String, Long> perCode = new TreeMap<>();
            List<String> findings = new ArrayList<>();
            for (ConsumerRecord<String, String> r : Feed.readCommitted(b, m.prefix() + ".findings")) {
                JsonNode f = ParquetFeed.JSON.readTree(r.value());
                perCode.merge(f.get("code").asString(), 1L, Long::sum);
                findings.add(f.get("code").asString() + "," + text(f, "event_id") + "," + text(f, "decision_id"));
            }
            findings.sort(null);
            return new Result(m.events(), m.decisions(), m.publishSeconds(), m.verdicts(), m.verdictsPerSecond(), perCode, findings, m.measured(), m.p50(),
                    m.p95(), m.p99(), m.max(), m.decisionsWithout(), m.verdictsDoneAfterMs(), m.totals().deadLetters() + m.totals().late(), m.lagMax(), m.lagZeroAfterMs(),
                    m.eventAfter(), m.joinedP50(), m.joinedP95(), m.joinedP99(), m.timings(), m.warmUp(),
                    broker == null ? b : "a local one-node broker, " + b + ", its log in " + broker.data());
        } finally {
            if (broker != null) broker.close();
        }
    }

    private static String text(JsonNode n, String f) {
        return n.hasNonNull(f) ? n.get(f).asString() : "";
    }

    /** The demo's lines for people (standard error). */
    public static List<String> describe(Result r) {
        List<String> out = new ArrayList<>(Arrays.asList(
                "stream: broker: " + r.broker(),
                String.format(java.util.Locale.ROOT, "stream: published %d events and %d decisions in %.1f s (%.0f messages/s)", r.events(), r.decisions(),
                        r.publishSeconds(), (r.events() + r.decisions()) / Math.max(r.publishSeconds(), 1e-9)),
                String.format(java.util.Locale.ROOT, "stream: %d verdicts (%.0f verdicts/s over the load), %d settled findings, %d dead letters",
                        r.verdicts(), r.verdictsPerSecond(), r.findings().size(), r.deadLetters()),
                "stream: findings per code: " + r.findingsPerCode(),
                String.format(java.util.Locale.ROOT, "stream: latency to the first verdict (produced -> readable by a read_committed consumer) over %d decisions "
                        + "(after %d messages of warm-up on other topics, the last " + StreamLoad.WARM_UP_PACED_SECONDS + " s a rehearsal of the timed run at the measured rate): p50 %d ms, p95 %d ms, p99 %d ms, max %d ms", r.measured(), r.warmUp(), r.p50(),
                        r.p95(), r.p99(), r.max()),
                String.format(java.util.Locale.ROOT, "stream: %d decisions were published before their event; from when both were published: "
                        + "p50 %d ms, p95 %d ms, p99 %d ms", r.eventAfter(), r.joinedP50(), r.joinedP95(), r.joinedP99()),
                String.format(java.util.Locale.ROOT, "stream: inside the process: check of a record p50 %d us, p99 %d us, max %d us (%d records); "
                        + "transaction commit p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d transactions); settle call p99 %.1f ms, max %.1f ms",
                        r.timings().checkP50(), r.timings().checkP99(), r.timings().checkMax(), r.timings().checks(), r.timings().commitP50() / 1e3,
                        r.timings().commitP99() / 1e3, r.timings().commitMax() / 1e3, r.timings().commits(), r.timings().settleP99() / 1e3,
                        r.timings().settleMax() / 1e3),
                String.format(java.util.Locale.ROOT, "stream: decisions without a verdict when the load stopped: %d; all had one %d ms later "
                        + "(%.0f decisions/s from the first message to the last first verdict)", r.lagAtLoadEnd(), r.lagZeroAfterMs(),
                        r.decisions() / Math.max(r.publishSeconds() + r.lagZeroAfterMs() / 1e3, 1e-9)),
                String.format(java.util.Locale.ROOT, "stream: the stream's consumer lag, sampled every second of the load: max %d records; back to 0 %s after the load stopped",
                        r.consumerLagMax(), r.consumerLagZeroAfterMs() < 0 ? "NOT within the wait" : r.consumerLagZeroAfterMs() + " ms")));
        return out;
    }
}
