package dev.attest.app;

import dev.attest.generator.Generator;
import dev.attest.stream.LocalBroker;
import dev.attest.stream.ParquetFeed;
import dev.attest.stream.StreamLoad;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code attest bench --stream} (issue 18): the generator's data (about rate x duration events with their decisions and
 * faults) published at a steady rate of decisions to a broker on this machine, audited by {@code attest stream} in this
 * process, measured by {@link StreamLoad} (the same measurement as {@code attest demo --stream}). A measurement, not a
 * test: the broker, the publisher, the stream and the reader share the machine, so the load average is printed too.
 */
final class StreamBench {
    /** Rates tried by --find-ceiling, decisions per second. */
    static final int[] CEILING_RATES = {5_000, 10_000, 20_000, 30_000, 40_000, 50_000};

    private StreamBench() {}

    static int run(Path root, String bootstrap, int rate, Duration duration, long seed, boolean findCeiling, Duration step, java.util.Properties kafka,
                   PrintStream out)
            throws Exception {
        int maxRate = findCeiling ? CEILING_RATES[CEILING_RATES.length - 1] : rate;
        Duration longest = findCeiling ? step : duration;
        long events = Math.max(100, (long) Math.ceil(maxRate * (longest.toMillis() / 1000.0)));
        Path data = root.resolve("stream-data");
        long g = System.nanoTime();
        new Generator().generate(data, events, seed);
        GeneratedData generated = GeneratedData.read(data);
        List<ParquetFeed.Message> allEvents = ParquetFeed.events(data), allDecisions = ParquetFeed.decisions(data);
        out.printf(Locale.ROOT, "generate         %,d events, %,d decisions in %.1f s%n", allEvents.size(), allDecisions.size(), (System.nanoTime() - g) / 1e9);
        LocalBroker broker = bootstrap == null ? LocalBroker.start(root.resolve("broker"), LocalBroker.buildClasspath()) : null;
        String b = bootstrap != null ? bootstrap : broker.bootstrap();
        out.println("broker           " + (broker == null ? b : "a local one-node broker on this machine, " + b + ", its log in " + broker.data()));
        if (!kafka.isEmpty()) out.println("kafka            " + new java.util.TreeMap<>(kafka)); // the stream's client properties given
        try {
            if (!findCeiling) {
                StreamLoad.Measured m;
                try {
                    m = load(b, data, generated, allEvents, allDecisions, rate, duration, kafka);
                } catch (IllegalStateException e) {
                    out.printf(Locale.ROOT, "asked            %,d decisions/s for %d s%n", rate, duration.toSeconds());
                    out.println("FAILED           " + e.getMessage() + (e.getCause() == null || e.getCause().getCause() == null ? ""
                            : "; because " + rootCause(e)));
                    out.println("load             " + loadAverage());
                    return 3;
                }
                describe(m, rate, duration, out);
                return 0;
            }
            out.printf(Locale.ROOT, "ceiling          rates of %s decisions/s, %d s each%n", Arrays.toString(CEILING_RATES), step.toSeconds());
            out.println("rate/s     achieved/s  p50 ms  p99 ms  lag max  lag slope/s  lag 0 after ms  bounded");
            int best = 0;
            for (int r : CEILING_RATES) {
                StreamLoad.Measured m;
                try {
                    m = load(b, data, generated, allEvents, allDecisions, r, step, kafka);
                } catch (IllegalStateException e) {
                    out.printf(Locale.ROOT, "%-10s FAILED: %s%n", String.format(Locale.ROOT, "%,d", r), rootCause(e));
                    break;
                }
                boolean bounded = !m.lagGrew() && m.lagZeroAfterMs() >= 0 && m.lagZeroAfterMs() <= 1000;
                out.printf(Locale.ROOT, "%-10s %-11.0f %-7d %-7d %-8d %-12.0f %-15d %s%n", String.format(Locale.ROOT, "%,d", r), m.decisionsPerSecond(), m.p50(),
                        m.p99(), m.lagMax(), m.lagSlope(), m.lagZeroAfterMs(), bounded ? "yes" : "no");
                if (!bounded) break;
                best = r;
            }
            out.printf(Locale.ROOT, "ceiling          %,d decisions/s with bounded lag (lag not growing, back to 0 within 1 s)%n", best);
            out.println("load             " + loadAverage());
            return 0;
        } finally {
            if (broker != null) broker.close();
        }
    }

    /** The first {@code rate x duration} decisions in arrival order, and the events that arrived until the last of them. */
    private static StreamLoad.Measured load(String b, Path data, GeneratedData generated, List<ParquetFeed.Message> allEvents,
                                            List<ParquetFeed.Message> allDecisions, int rate, Duration duration, java.util.Properties kafka)
            throws Exception {
        int n = (int) Math.min(allDecisions.size(), Math.ceil(rate * (duration.toMillis() / 1000.0)));
        List<ParquetFeed.Message> decisions = allDecisions.subList(0, n);
        java.time.Instant until = decisions.isEmpty() ? java.time.Instant.MIN : decisions.get(n - 1).arrival();
        List<ParquetFeed.Message> events = new ArrayList<>();
        for (ParquetFeed.Message e : allEvents) if (!e.arrival().isAfter(until) || n == allDecisions.size()) events.add(e);
        double messagesPerSecond = rate * (double) (events.size() + decisions.size()) / Math.max(1, decisions.size());
        return StreamLoad.run(new StreamLoad.Settings(b, "bench-" + Long.toHexString(System.nanoTime()), data.resolve("policies").toString(),
                generated.customers(), messagesPerSecond, 3, Duration.ofSeconds(Math.max(30, duration.toSeconds())), warm(messagesPerSecond), kafka), events, decisions);
    }

    private static boolean warmed; // one warm-up per process: the steps of --find-ceiling run in a JVM that has compiled the stream already

    /**
     * The warm-up grows with the rate: 60 s of the load's messages (at least {@link #LEAST_WARM_UP}, at most 3 million), so
     * that the timed load measures the stream and not the JIT still compiling it. With 15 s (300,000 messages at 10,000
     * decisions/s) the C2 compiler thread still took 41-45% of a core through the timed load and p50 was 48-90 ms; with
     * 1.2 million, 16-19% and 16-23 ms (docs/stream.md, eleventh round). -Dattest.demo.warmup=N decides.
     */
    private static int warm(double messagesPerSecond) {
        if (warmed) return 0;
        warmed = true;
        if (System.getProperty("attest.demo.warmup") != null) return StreamLoad.WARM_UP;
        return (int) Math.max(LEAST_WARM_UP, Math.min(3_000_000, 60 * messagesPerSecond));
    }

    /** The least warm-up, for low rates (the bench's smoke test at 500 decisions/s warms up on this). */
    private static final int LEAST_WARM_UP = 120_000;

    static void describe(StreamLoad.Measured m, int rate, Duration duration, PrintStream out) {
        out.printf(Locale.ROOT, "asked            %,d decisions/s for %d s%n", rate, duration.toSeconds());
        out.printf(Locale.ROOT, "published        %,d events and %,d decisions in %.1f s: %,.0f decisions/s (%,.0f messages/s)%n", m.events(), m.decisions(),
                m.publishSeconds(), m.decisionsPerSecond(), m.messagesPerSecond());
        out.printf(Locale.ROOT, "verdicts         %,d (%,.0f verdicts/s over the load); %,d dead letters, %,d late%n", m.verdicts(), m.verdictsPerSecond(),
                m.totals().deadLetters(), m.totals().late());
        out.printf(Locale.ROOT, "latency          produced -> first verdict readable (read_committed), %,d decisions: p50 %d ms, p95 %d ms, p99 %d ms, max %d ms%n",
                m.measured(), m.p50(), m.p95(), m.p99(), m.max());
        out.printf(Locale.ROOT, "warm-up          %,d messages through throwaway streams first, the last " + StreamLoad.WARM_UP_PACED_SECONDS + " s a rehearsal of the timed run at the measured rate (-Dattest.demo.warmup=N, -Dattest.demo.warmupPaced=S)%n", m.warmUp());
        out.printf(Locale.ROOT, "check            in the process, per input record: p50 %.3f ms, p99 %.3f ms, max %.1f ms%n", m.timings().checkP50() / 1e3,
                m.timings().checkP99() / 1e3, m.timings().checkMax() / 1e3);
        out.printf(Locale.ROOT, "settle           per call (watermarks, what they passed, its output): p50 %.3f ms, p99 %.1f ms, max %.1f ms (%,d calls)%n",
                m.timings().settleP50() / 1e3, m.timings().settleP99() / 1e3, m.timings().settleMax() / 1e3, m.timings().settles());
        out.printf(Locale.ROOT, "commit           per transaction: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%,d transactions)%n", m.timings().commitP50() / 1e3,
                m.timings().commitP99() / 1e3, m.timings().commitMax() / 1e3, m.timings().commits());
        out.printf(Locale.ROOT, "data order       %,d decisions were published before their event; latency from when both were: p50 %d ms, p95 %d ms, p99 %d ms%n",
                m.eventAfter(), m.joinedP50(), m.joinedP95(), m.joinedP99());
        out.printf(Locale.ROOT, "consumer lag     sampled every second of the load (%d samples): max %,d records, slope %+,.0f records/s: %s%n",
                m.lagSamples().length, m.lagMax(), m.lagSlope(), m.lagGrew() ? "GREW (the stream fell behind)" : "bounded");
        StringBuilder bySecond = new StringBuilder(); // where a backlog built and drained
        for (long l : m.lagSamples()) bySecond.append(bySecond.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f", l / 1000.0));
        out.println("lag by second    " + bySecond + " (thousands of records)");
        out.printf(Locale.ROOT, "after the load   consumer lag 0 after %s; %,d decisions had no verdict yet, all had one after %s%n", ms(m.lagZeroAfterMs()),
                m.decisionsWithout(), ms(m.verdictsDoneAfterMs()));
        out.println("load             " + loadAverage());
    }

    private static String rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.toString();
    }

    private static String ms(long v) {
        return v < 0 ? "MORE than the drain timeout" : v + " ms";
    }

    /** As uptime prints it, with the cores: the figures above are only as good as the machine was idle. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return "load average " + f[0] + ", " + f[1] + ", " + f[2] + " (" + Runtime.getRuntime().availableProcessors() + " cores)";
        } catch (Exception e) {
            var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            return String.format(Locale.ROOT, "load average %.2f (%d cores)", os.getSystemLoadAverage(), os.getAvailableProcessors());
        }
    }
}
