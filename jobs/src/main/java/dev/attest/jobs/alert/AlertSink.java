package dev.attest.jobs.alert;

/** Where alerts go. A sink that cannot deliver says so in its result; it never swallows the failure. */
public interface AlertSink {
    /** @return null when delivered, else why not */
    String deliver(Alert alert);

    String name();
}
