package dev.attest.jobs.alert;

import java.util.Map;

/**
 * Something a person must look at, as the sinks see it: the scheduler's alerts (a schedule and its window) and the
 * stream's (settled findings) render through the same log line and the same webhook body.
 */
public interface Alert {
    /** Wire name, e.g. findings, run_failed, finding, finding_summary. */
    String type();

    /** What the alert is about, in the log line after its type, e.g. {@code schedule=nightly window=[a, b)}. */
    String subject();

    /** One line for people. */
    String line();

    /** The webhook body's fields after type and before at and message (the subject as fields). */
    Map<String, Object> scope();

    /** The webhook body's fields after the message. */
    Map<String, Object> details();
}
