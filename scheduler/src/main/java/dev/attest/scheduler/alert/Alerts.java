package dev.attest.scheduler.alert;

import dev.attest.jobs.alert.AlertSink;
import dev.attest.jobs.alert.LogSink;
import dev.attest.jobs.alert.WebhookSink;
import dev.attest.scheduler.config.AuditSchedule;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Sends a schedule's alerts to its sinks: the log line (unless switched off) and each webhook. A delivery that
 * fails is written to the log and kept, so that the pass reports it (and {@code --once} exits 3).
 */
public final class Alerts {
    private final PrintStream log;
    private final Clock clock;
    private final Duration webhookTimeout;
    private final List<String> failedDeliveries = new CopyOnWriteArrayList<>();
    private final List<Alert> sent = new CopyOnWriteArrayList<>();

    public Alerts(PrintStream log, Clock clock, Duration webhookTimeout) {
        this.log = log;
        this.clock = clock;
        this.webhookTimeout = webhookTimeout;
    }

    public void send(AuditSchedule schedule, Alert alert) {
        sent.add(alert);
        List<AlertSink> sinks = new ArrayList<>();
        LogSink logSink = new LogSink(log, clock);
        if (schedule.logAlerts()) sinks.add(logSink);
        for (var uri : schedule.webhooks()) sinks.add(new WebhookSink(uri, webhookTimeout, clock));
        for (AlertSink sink : sinks) {
            String why = sink.deliver(alert);
            if (why != null) {
                String failure = "alert " + alert.type() + " of schedule " + schedule.name() + " window [" + alert.windowStart()
                        + ", " + alert.windowEnd() + ") not delivered to " + sink.name() + ": " + why;
                failedDeliveries.add(failure);
                log.println(clock.instant() + " ERROR " + failure);
            }
        }
    }

    /** Delivery failures since the last call (and forgets them). */
    public List<String> drainFailures() {
        List<String> out = List.copyOf(failedDeliveries);
        failedDeliveries.removeAll(out);
        return out;
    }

    /** Every alert sent by this process (tests, and the --once summary). */
    public List<Alert> sent() {
        return List.copyOf(sent);
    }
}
