package dev.attest.io.input;

/** An input that cannot be used at all (as opposed to a bad row, which is quarantined). */
public class InputException extends RuntimeException {
    public enum Code {
        /** A required contract column is absent from a file or query. */
        MISSING_COLUMN,
        /** A file cannot be read (corrupt, not the format its name says, unreadable). */
        UNREADABLE,
        /** The path names no file of a supported format. */
        NO_FILES,
        /** A SQL source does not run. */
        BAD_SQL,
        /** A policy file or row breaks the policy contract. */
        BAD_POLICY,
        /** A customers row breaks contracts section 10 (bad anchor or zone, no customer_id, two cycles for one customer). */
        BAD_CUSTOMER,
        /** A computed amount is too large to keep (DECIMAL(38,9): 29 integer digits). */
        OUT_OF_RANGE,
        /** An input file read in place changed (size or modification time) after staging read it. */
        CHANGED
    }

    private final Code code;

    public InputException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public InputException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
