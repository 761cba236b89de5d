package dev.attest.reports;

/** How many broken links of one kind (contracts section 6) a run has. */
public record GapCount(String gap, long count) {
    public GapCount {
        if (gap == null || gap.isBlank() || count < 0) throw new IllegalArgumentException("gap and a count >= 0 are required");
    }
}
