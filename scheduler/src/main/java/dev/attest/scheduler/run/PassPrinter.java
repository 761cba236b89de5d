package dev.attest.scheduler.run;

import java.io.PrintStream;
import java.util.Locale;

/** One line per window a pass handled: what a person reading the log (or cron's mail) needs. */
public final class PassPrinter {
    private PassPrinter() {}

    public static void print(PassReport r, PrintStream out) {
        print(r, out, true);
    }

    /** Without windows skipped because another node holds them or their retry is not due (a sweep sees those every time). */
    public static void printActive(PassReport r, PrintStream out) {
        print(r, out, false);
    }

    private static void print(PassReport r, PrintStream out, boolean skipped) {
        for (WindowResult w : r.windows()) {
            if (!skipped && w.status() == WindowResult.Status.SKIPPED) continue;
            out.println(String.format(Locale.ROOT, "%s %s %-7s schedule=%s window=[%s, %s) attempt=%d%s exit=%d %s%s",
                    java.time.Instant.now(), "RUN", w.status(), w.schedule(), w.window().start(), w.window().end(), w.attempts(), w.late() ? " LATE" : "",
                    w.exitStatus(), w.severities().isEmpty() ? "" : w.severities() + " ", w.runDir() == null ? w.message() : w.runDir() + " (" + w.message() + ")"));
        }
        for (String f : r.failedDeliveries()) out.println("ALERT-NOT-DELIVERED " + f);
        out.flush();
    }
}
