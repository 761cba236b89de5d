package dev.attest.jobs.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.Severity;
import dev.attest.reports.FindingStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The lifecycle store on a real H2 file database (PostgreSQL: app's LifecycleIT). */
class LifecycleStoreIT {
    static final Instant MAR_1 = Instant.parse("2026-03-01T00:00:00Z");
    static final Instant MAR_2 = Instant.parse("2026-03-02T00:00:00Z");
    static final Instant MAR_3 = Instant.parse("2026-03-03T00:00:00Z");

    @TempDir
    Path tmp;

    LifecycleStore store() {
        return new LifecycleStore(new DriverManagerDataSource("jdbc:h2:file:" + tmp.resolve("meta").toAbsolutePath()));
    }

    @Test
    void aRunIsRecordedOnceAndFirstSeenIsTheEarliestAsOfWhateverTheOrder() throws Exception {
        LifecycleStore s = store();
        Map<String, String> fps = Map.of("a", "AMOUNT_MISMATCH");
        Instant first = s.recordRun("run-3", MAR_3, Instant.parse("2026-11-01T00:00:00Z"), fps);
        assertThat(s.recordRun("run-3", MAR_3, Instant.parse("2026-11-02T00:00:00Z"), fps)).as("recorded once, at its first time").isEqualTo(first);
        s.recordRun("run-1", MAR_1, Instant.parse("2026-11-03T00:00:00Z"), fps); // an older night audited late
        s.recordRun("run-2", MAR_2, Instant.parse("2026-11-04T00:00:00Z"), fps);
        FindingHistory h = s.history("a").orElseThrow();
        assertThat(h.timesSeen()).isEqualTo(3);
        assertThat(h.firstSeenRun()).isEqualTo("run-1");
        assertThat(h.firstSeenAt()).isEqualTo(MAR_1);
        assertThat(h.lastSeenRun()).isEqualTo("run-3");
        assertThat(h.lastSeenAt()).isEqualTo(MAR_3);
    }

    @Test
    void aRunShowsTheDecisionsMadeUntilItWasRecordedSoItsReportDoesNotChangeLater() throws Exception {
        LifecycleStore s = store();
        List<Sighting> sightings = List.of(new Sighting("a", "OUTCOME_MISMATCH", Severity.CRITICAL),
                new Sighting("b", "LATE_DECISION", Severity.WARNING));
        RunLifecycle night1 = RunLifecycle.apply(s, "run-1", MAR_1, Instant.parse("2026-11-01T01:00:00Z"), Severity.ERROR, sightings);
        assertThat(night1.byFingerprint().get("a").status()).isEqualTo(FindingStatus.NEW);
        assertThat(night1.totals().fresh()).isEqualTo(2);

        assertThat(s.decide(new FindingDecision("a", DecisionKind.ACCEPT, LocalDate.parse("2026-03-02"), "credit issued", "ana",
                Instant.parse("2026-11-01T08:00:00Z")))).isInstanceOf(LifecycleStore.DecideOutcome.Recorded.class);
        assertThat(s.decide(new FindingDecision("zzz", DecisionKind.ACK, null, "?", null, Instant.parse("2026-11-01T08:00:00Z"))))
                .isInstanceOf(LifecycleStore.DecideOutcome.UnknownFingerprint.class);

        RunLifecycle again = RunLifecycle.apply(s, "run-1", MAR_1, Instant.parse("2026-11-05T00:00:00Z"), Severity.ERROR, sightings);
        assertThat(again).as("night 1 rendered again shows what it showed").isEqualTo(night1);

        RunLifecycle night2 = RunLifecycle.apply(s, "run-2", MAR_2, Instant.parse("2026-11-02T01:00:00Z"), Severity.ERROR, sightings);
        assertThat(night2.byFingerprint().get("a").status()).isEqualTo(FindingStatus.ACCEPTED);
        assertThat(night2.byFingerprint().get("a").ageDays()).isEqualTo(1);
        assertThat(night2.byFingerprint().get("a").note()).isEqualTo("credit issued");
        assertThat(night2.byFingerprint().get("b").status()).isEqualTo(FindingStatus.OPEN);
        assertThat(night2.totals().suppressedFromExit()).isEqualTo(1);

        RunLifecycle night3 = RunLifecycle.apply(s, "run-3", MAR_3, Instant.parse("2026-11-03T01:00:00Z"), Severity.ERROR, sightings);
        assertThat(night3.byFingerprint().get("a").status()).isEqualTo(FindingStatus.ACCEPTANCE_EXPIRED);
        assertThat(night3.byFingerprint().get("a").ageDays()).isEqualTo(2);
        assertThat(night3.totals().suppressedFromExit()).isZero();
        assertThat(night3.totals().acceptanceExpired()).isEqualTo(1);
    }
}
