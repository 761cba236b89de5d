package dev.attest.jobs.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.reports.FindingStatus;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class LifecycleRulesTest {
    static final Instant AT = Instant.parse("2026-03-01T09:00:00Z");
    static final LocalDate MAR_5 = LocalDate.parse("2026-03-05");

    static FindingDecision accept(LocalDate until) {
        return new FindingDecision("fp", DecisionKind.ACCEPT, until, "why", null, AT);
    }

    @Test
    void withoutDecisionAFindingIsNewInItsFirstRunAndOpenAfter() {
        assertThat(LifecycleRules.status(true, null, MAR_5)).isEqualTo(FindingStatus.NEW);
        assertThat(LifecycleRules.status(false, null, MAR_5)).isEqualTo(FindingStatus.OPEN);
    }

    @Test
    void anAcknowledgementIsShownButStillCounts() {
        FindingDecision ack = new FindingDecision("fp", DecisionKind.ACK, null, "on it", "ana", AT);
        assertThat(LifecycleRules.status(false, ack, MAR_5)).isEqualTo(FindingStatus.ACKNOWLEDGED);
        assertThat(LifecycleRules.countsTowardExit(FindingStatus.ACKNOWLEDGED)).isTrue();
    }

    @Test
    void anAcceptanceHoldsThroughItsDateAndExpiresTheDayAfter() {
        assertThat(LifecycleRules.status(false, accept(MAR_5), MAR_5.minusDays(1))).isEqualTo(FindingStatus.ACCEPTED);
        assertThat(LifecycleRules.status(false, accept(MAR_5), MAR_5)).isEqualTo(FindingStatus.ACCEPTED);
        assertThat(LifecycleRules.status(false, accept(MAR_5), MAR_5.plusDays(1))).isEqualTo(FindingStatus.ACCEPTANCE_EXPIRED);
        assertThat(LifecycleRules.countsTowardExit(FindingStatus.ACCEPTED)).isFalse();
        assertThat(LifecycleRules.countsTowardExit(FindingStatus.ACCEPTANCE_EXPIRED)).isTrue();
    }

    @Test
    void decisionsSayWhyAndAcceptancesSayUntilWhen() {
        assertThatThrownBy(() -> new FindingDecision("fp", DecisionKind.ACK, null, " ", null, AT)).hasMessageContaining("--note");
        assertThatThrownBy(() -> new FindingDecision("fp", DecisionKind.ACCEPT, null, "why", null, AT)).hasMessageContaining("--until");
        assertThatThrownBy(() -> new FindingDecision("fp", DecisionKind.ACK, MAR_5, "why", null, AT)).hasMessageContaining("no --until");
        assertThatThrownBy(() -> new FindingDecision("", DecisionKind.ACK, null, "why", null, AT)).hasMessageContaining("fingerprint");
    }
}
