package dev.attest.reports;

/** How many findings of one code a run has; the code's severity is fixed by the contract. */
public record CodeCount(String code, String severity, long count) {
    public CodeCount {
        if (code == null || code.isBlank()) throw new IllegalArgumentException("code is required");
        if (severity == null || severity.isBlank()) throw new IllegalArgumentException("severity is required (code " + code + ")");
        if (count < 0) throw new IllegalArgumentException("count must be >= 0 (code " + code + ")");
    }
}
