package dev.attest.jobs.audit;

import dev.attest.core.Durations;
import dev.attest.engine.audit.RatePass;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress of a long step on standard error: rows done, rate and time left. On a terminal a live bar redrawn in place
 * about five times a second; when standard error is a file or a pipe, a plain line every few seconds.
 */
public final class Progress implements RatePass.Progress {
    private final String step;
    private final PrintStream err;
    private final boolean live;
    private final long started = System.nanoTime();
    private long lastPrint = started;
    private boolean finishedShown;

    public Progress(String step, PrintStream err) {
        this(step, err, err == System.err && System.console() != null);
    }

    /** @param live whether to redraw one line in place (a terminal) rather than print a line every few seconds */
    public Progress(String step, PrintStream err, boolean live) {
        this.step = step;
        this.err = err;
        this.live = live;
    }

    @Override
    public void update(long done, long total) {
        long now = System.nanoTime();
        boolean finished = total > 0 && done >= total;
        if (finished ? finishedShown : now - lastPrint < (live ? 200_000_000L : 3_000_000_000L)) return;
        // The end is always shown once (a live bar then ends its line); a quick step on a file shows only that.
        if (finished && !live && now - started < 3_000_000_000L) {
            finishedShown = true;
            return;
        }
        lastPrint = now;
        finishedShown = finished;
        err.print(live ? "\r" + line(done, total, now) + (finished ? "\n" : "") : line(done, total, now) + "\n");
        err.flush();
    }

    String line(long done, long total, long now) {
        double seconds = (now - started) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        double share = total == 0 ? 1 : Math.min(1, (double) done / total);
        String left = rate > 0 && done < total ? ", " + Durations.human(Duration.ofSeconds(Math.round((total - done) / rate))) + " left" : "";
        String bar = live ? "[" + "#".repeat((int) Math.round(share * 24)) + ".".repeat(24 - (int) Math.round(share * 24)) + "] " : "";
        return String.format(java.util.Locale.ROOT, "attest: %s %s%,d / %,d events (%.0f %%), %,.0f events/s%s", step, bar, done, total,
                100 * share, rate, left);
    }
}
