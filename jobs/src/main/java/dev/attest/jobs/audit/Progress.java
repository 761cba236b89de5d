package dev.attest.jobs.audit;

import dev.attest.engine.audit.RatePass;
import java.io.PrintStream;

/** Progress of a long step on standard error, at most every two seconds: rows done, rate, time left. */
public final class Progress implements RatePass.Progress {
    private final String step;
    private final PrintStream err;
    private final long started = System.nanoTime();
    private long lastPrint = started;

    public Progress(String step, PrintStream err) {
        this.step = step;
        this.err = err;
    }

    @Override
    public void update(long done, long total) {
        long now = System.nanoTime();
        if (now - lastPrint < 2_000_000_000L) return;
        lastPrint = now;
        double seconds = (now - started) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        long left = rate > 0 ? Math.round((total - done) / rate) : -1;
        err.printf("attest: %s %,d / %,d events (%.0f %%), %,.0f events/s, about %ds left%n", step, done, total,
                total == 0 ? 100.0 : 100.0 * done / total, rate, left);
    }
}
