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
    @Test
    void sinceThePreviousRunOfTheSameScopeNewResolvedAndStillOpen() throws Exception {
        LifecycleStore s = store();
        Instant jan = Instant.parse("2026-01-01T00:00:00Z");
        LifecycleStore.Scope upTo10 = new LifecycleStore.Scope("inputs-x", jan, Instant.parse("2026-01-10T00:00:00Z"));
        LifecycleStore.Scope upTo11 = new LifecycleStore.Scope("inputs-x", jan, Instant.parse("2026-01-11T00:00:00Z"));
        Instant t = Instant.parse("2026-11-01T00:00:00Z");
        s.recordRun("pass-1", MAR_1, t, Map.of("a", "AMOUNT_MISMATCH", "b", "AMOUNT_MISMATCH", "c", "MISSING_DECISION"), upTo10);
        assertThat(s.sincePrevious("pass-1")).as("the first run of a scope").isEqualTo(dev.attest.reports.SincePrevious.none());
        // The span grew by a day and data changed: b was fixed, d appeared.
        s.recordRun("pass-2", MAR_2, t.plusSeconds(1), Map.of("a", "AMOUNT_MISMATCH", "c", "MISSING_DECISION", "d", "ORPHAN_DECISION"), upTo11);
        dev.attest.reports.SincePrevious since = s.sincePrevious("pass-2");
        assertThat(since.previousRunId()).isEqualTo("pass-1");
        assertThat(since.previousAsOf()).isEqualTo(MAR_1);
        assertThat(List.of(since.fresh(), since.resolvedCount(), since.stillOpen())).containsExactly(1L, 1L, 2L);
        assertThat(since.perCode()).containsExactly(new dev.attest.reports.SincePrevious.CodeChange("AMOUNT_MISMATCH", 0, 1, 1),
                new dev.attest.reports.SincePrevious.CodeChange("MISSING_DECISION", 0, 0, 1),
                new dev.attest.reports.SincePrevious.CodeChange("ORPHAN_DECISION", 1, 0, 0));
        assertThat(since.resolved()).containsExactly(new dev.attest.reports.SincePrevious.Resolved("b", "AMOUNT_MISMATCH"));

        // Not previous: another window start (the next night), a wider window (its findings may lie outside this one),
        // other inputs, a later as-of, or a run recorded after this one (a report renders the same again).
        s.recordRun("night-2", MAR_2, t.plusSeconds(2), Map.of("x", "AMOUNT_MISMATCH"),
                new LifecycleStore.Scope("inputs-x", Instant.parse("2026-01-02T00:00:00Z"), Instant.parse("2026-01-03T00:00:00Z")));
        assertThat(s.sincePrevious("night-2").previousRunId()).isNull();
        s.recordRun("narrow", MAR_3, t.plusSeconds(3), Map.of("a", "AMOUNT_MISMATCH"), upTo10);
        assertThat(s.sincePrevious("narrow").previousRunId()).as("pass-2's window is wider").isEqualTo("pass-1");
        s.recordRun("other", MAR_3, t.plusSeconds(4), Map.of("a", "AMOUNT_MISMATCH"), new LifecycleStore.Scope("inputs-y", jan, upTo11.to()));
        assertThat(s.sincePrevious("other").previousRunId()).isNull();
        s.recordRun("late", Instant.parse("2026-03-01T12:00:00Z"), t.plusSeconds(5), Map.of(), upTo11);
        assertThat(s.sincePrevious("pass-2").previousRunId()).as("recorded after pass-2").isEqualTo("pass-1");
        assertThat(s.sincePrevious("late").resolvedCount()).isEqualTo(3);
        s.recordRun("no-scope", MAR_3, t.plusSeconds(6), Map.of("a", "AMOUNT_MISMATCH"));
        assertThat(s.sincePrevious("no-scope")).as("recorded without a scope: not compared").isNull();
        // Recorded again with its scope (verify re-renders a run an older version recorded): completed, then compared.
        s.recordRun("no-scope", MAR_3, t.plusSeconds(7), Map.of("a", "AMOUNT_MISMATCH"), new LifecycleStore.Scope("inputs-z", jan, upTo11.to()));
        assertThat(s.sincePrevious("no-scope")).isEqualTo(dev.attest.reports.SincePrevious.none());
    }
}
