package dev.attest.scheduler.run;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Locale;

/**
 * One line per window: what a person reading the log (or cron's mail) needs. Audited windows are printed as each
 * one ends ({@link #line}), so a long catch-up shows progress; a pass's summary adds the skipped windows and the
 * alerts that could not be delivered.
 */
public final class PassPrinter {
    private PassPrinter() {}

    /** The line of one window, printed by the runner when its attempt ends. */
    public static void line(WindowResult w, PrintStream out, Clock clock) {
        out.println(String.format(Locale.ROOT, "%s RUN %-7s schedule=%s window=[%s, %s) attempt=%d%s exit=%d %s%s",
                clock.instant(), w.status(), w.schedule(), w.window().start(), w.window().end(), w.attempts(), w.late() ? " LATE" : "",
                w.exitStatus(), w.severities().isEmpty() ? "" : w.severities() + " ", w.runDir() == null ? w.message() : w.runDir() + " (" + w.message() + ")"));
        out.flush();
    }

    /** After a pass: the skipped windows (held elsewhere, retry not yet due) and undelivered alerts. */
    public static void print(PassReport r, PrintStream out, Clock clock) {
        for (WindowResult w : r.windows()) if (w.status() == WindowResult.Status.SKIPPED) line(w, out, clock);
        printActive(r, out);
    }

    /** After a sweep or a cron fire: only undelivered alerts (a sweep sees the skipped windows every time). */
    public static void printActive(PassReport r, PrintStream out) {
        for (String f : r.failedDeliveries()) out.println("ALERT-NOT-DELIVERED " + f);
        out.flush();
    }
}
