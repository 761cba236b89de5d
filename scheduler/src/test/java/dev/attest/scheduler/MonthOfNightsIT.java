package dev.attest.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A month of nights (January 2026, 31 daily windows in Europe/Berlin) with seeded random downtime, on an H2 file:
 * every window is audited exactly once (one Batch execution each), oldest first; windows run after their due time
 * plus late_after are flagged late in the ledger, in their run folder's schedule.json and by a late-run alert.
 */
class MonthOfNightsIT {
    @TempDir
    Path tmp;

    @Test
    void everyWindowOfAMonthWithRandomDowntimeIsAuditedExactlyOnceAndLateOnesAreFlagged() throws Exception {
        Path data = Fixtures.generate(tmp.resolve("data"), 600, 5);
        long t0 = System.nanoTime();
        MonthOfNights.Outcome o = MonthOfNights.simulate(Fixtures.h2(tmp.resolve("meta")), data, tmp, LocalDate.parse("2026-01-01"), 31, 20260101L);
        System.out.printf("month of nights (H2): %d windows, %d downtime(s), %d late, %d passes, %.1f s%n", o.windows(), o.downtimes(),
                o.late().size(), o.passes(), (System.nanoTime() - t0) / 1e9);
        assertThat(o.downtimes()).as("the seed gives downtime").isPositive();
        assertThat(o.late()).as("some windows ran late, not all").isNotEmpty().hasSizeLessThan(31);
    }
}
