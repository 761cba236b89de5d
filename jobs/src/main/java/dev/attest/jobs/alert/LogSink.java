package dev.attest.jobs.alert;

import java.io.PrintStream;
import java.time.Clock;

/** One line per alert on standard error (where a service manager's journal or cron's mail picks it up). */
public final class LogSink implements AlertSink {
    private final PrintStream out;
    private final Clock clock;

    public LogSink(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    @Override
    public String deliver(Alert a) {
        out.println(clock.instant() + " ALERT " + a.type() + " " + a.subject() + ": " + a.line());
        out.flush();
        return out.checkError() ? "cannot write to the log" : null;
    }

    @Override
    public String name() {
        return "log";
    }
}
