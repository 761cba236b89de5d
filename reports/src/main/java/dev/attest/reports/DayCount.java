package dev.attest.reports;

import java.time.LocalDate;

/** Findings of one UTC day (of the event, or of the decision when a finding has no event), per severity. */
public record DayCount(LocalDate day, long critical, long error, long warning, long info) {
    public DayCount {
        if (day == null) throw new IllegalArgumentException("day is required");
        if (critical < 0 || error < 0 || warning < 0 || info < 0) throw new IllegalArgumentException("counts must be >= 0 (" + day + ")");
    }

    public long total() {
        return critical + error + warning + info;
    }
}
