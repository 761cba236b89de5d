package dev.attest.scheduler.run;

import java.io.PrintStream;
import java.util.Locale;

/** One line per window a pass handled: what a person reading the log (or cron's mail) needs. */
public final class PassPrinter {
    private PassPrinter() {}

    public static void print(PassReport r, PrintStream out) {
        for (WindowResult w : r.windows()) {
            out.println(String.format(Locale.ROOT, "%s %-7s schedule=%s window=[%s, %s) attempt=%d%s exit=%d %s%s",
                    "RUN", w.status(), w.schedule(), w.window().start(), w.window().end(), w.attempts(), w.late() ? " LATE" : "",
                    w.exitStatus(), w.severities().isEmpty() ? "" : w.severities() + " ", w.runDir() == null ? w.message() : w.runDir() + " (" + w.message() + ")"));
        }
        for (String f : r.failedDeliveries()) out.println("ALERT-NOT-DELIVERED " + f);
        out.flush();
    }
}
