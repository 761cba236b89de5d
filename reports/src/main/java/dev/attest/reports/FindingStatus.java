package dev.attest.reports;

/** Where a finding stands across nightly runs, as of one run. */
public enum FindingStatus {
    /** First seen in this run. */
    NEW("new"),
    /** Seen before, no decision recorded. */
    OPEN("open"),
    /** Someone acknowledged it: seen and being handled; it still counts toward the exit status. */
    ACKNOWLEDGED("acknowledged"),
    /** Accepted risk until a date not yet passed: it does not count toward the exit status. */
    ACCEPTED("accepted"),
    /** Was accepted, the acceptance expired, and it recurred: raised again. */
    ACCEPTANCE_EXPIRED("acceptance expired");

    private final String label;

    FindingStatus(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The value of the report's status filter and of a row's data-status attribute. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
