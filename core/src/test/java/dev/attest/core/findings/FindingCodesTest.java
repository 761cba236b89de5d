package dev.attest.core.findings;

import static dev.attest.core.findings.FindingCodesTest.Audit.audit;
import static dev.attest.core.findings.FindingCodesTest.Audit.codes;
import static dev.attest.core.findings.FindingCodesTest.Audit.decision;
import static dev.attest.core.findings.FindingCodesTest.Audit.only;
import static dev.attest.core.findings.FindingCodesTest.Audit.usage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.checks.Checks;
import dev.attest.core.checks.ThresholdRules;
import dev.attest.core.policy.Policies;
import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Rule;
import dev.attest.core.rating.ExpectedEvent;
import dev.attest.core.rating.Outcome;
import dev.attest.core.rating.PeriodRater;
import dev.attest.core.rating.RatingEvent;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One test per finding code (issue 12, item 2), named after the code in lower camel case ({@code AMOUNT_MISMATCH}:
 * {@code amountMismatch}); {@link #everyFindingCodeHasATestNamedAfterIt} fails when a code has none. Each test builds the
 * smallest situation that causes its code through core's real API (PolicyRegistry, PeriodRater, Reconciler,
 * ThresholdRules; no mocks), asserts the code, its severity and the fields contracts section 5 and 9 prescribe, and,
 * where the contract states a boundary, the near side of it.
 *
 * <p>The common situation: price {@code p} (unit, EUR 2.00 a unit, v1 valid from January 2026, recorded in December
 * 2025); an event {@code e1} of customer {@code c}, meter {@code m} at {@link #T}, rated with the cut-off {@link #CUTOFF}
 * (its month closed). Five units are expected to cost 10.00.
 */
class FindingCodesTest {
    static final Instant T = Instant.parse("2026-03-02T10:00:00Z");
    static final Instant CUTOFF = Instant.parse("2026-05-01T00:00:00Z");
    static final Reconciler.Params DEFAULTS = new Reconciler.Params(BigDecimal.ZERO, null);

    static final PolicyRegistry UNIT = new PolicyRegistry(List.of(Policies.price("p", "m", null, Policies.unit("2.00"))));

    /** Price p as in {@link #UNIT}, and entitlement q: 10 units a month. */
    static final PolicyRegistry LIMITED = new PolicyRegistry(List.of(Policies.price("p", "m", null, Policies.unit("2.00")),
            Policies.policy("q", PolicyKind.ENTITLEMENT, "m", null, Policies.version("q", 1, new Rule.Entitlement(BigDecimal.TEN)))));

    // ---- links: event <-> decision ----

    @Test
    @DisplayName("MISSING_DECISION: an event has no decision")
    void missingDecision() {
        List<Finding> fs = audit(UNIT, DEFAULTS, usage("5"));
        Finding f = only(fs, FindingCode.MISSING_DECISION);
        assertThat(codes(fs)).containsExactly(FindingCode.MISSING_DECISION);
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.eventId()).isEqualTo("e1");
        assertThat(f.decisionId()).isNull();
        assertThat(f.expectedAmount()).isEqualByComparingTo("10.00");
        assertThat(f.expectedOutcome()).isEqualTo("charged");
        assertThat(f.actualAmount()).isNull();
        assertThat(f.actualOutcome()).isNull();
        assertThat(f.difference()).isNull();
        assertThat(f.currency()).isEqualTo("EUR");
        assertThat(f.versionAsKnown()).isEqualTo("p@v1");
        assertThat(f.versionAsCorrected()).isEqualTo("p@v1");
        assertThat(f.versionApplied()).isNull();
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.UNBILLED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("10.00");
        // Near side: one decision is exactly what is expected.
        assertThat(audit(UNIT, DEFAULTS, usage("5"), decision("d1").charged("10.00"))).isEmpty();
    }

    @Test
    @DisplayName("ORPHAN_DECISION: a decision names an event_id that does not exist")
    void orphanDecision() {
        // Core builds the finding; whether the event exists is the caller's join (engine's ReconcilePass).
        Finding f = new Reconciler(UNIT, DEFAULTS).orphan(decision("d1").event("ghost").charged("4.20").build());
        assertThat(f.code()).isEqualTo(FindingCode.ORPHAN_DECISION);
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.eventId()).isEqualTo("ghost");
        assertThat(f.decisionId()).isEqualTo("d1");
        assertThat(f.decidedAt()).isEqualTo(T);
        assertThat(f.expectedAmount()).isNull();
        assertThat(f.actualAmount()).isEqualByComparingTo("4.20");
        assertThat(f.actualOutcome()).isEqualTo("charged");
        assertThat(f.versionApplied()).isEqualTo("p@v1");
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.CHARGED_WITHOUT_USAGE);
        assertThat(f.moneyAmount()).isEqualByComparingTo("4.20");
        assertThat(f.moneyEffect()).isEqualByComparingTo("-4.20");
    }

    @Test
    @DisplayName("UNLINKED_DECISION: a decision has no event_id")
    void unlinkedDecision() {
        Reconciler r = new Reconciler(UNIT, DEFAULTS);
        Finding f = r.unlinked(decision("d1").event(null).charged("3.00").build());
        assertThat(f.code()).isEqualTo(FindingCode.UNLINKED_DECISION);
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
        assertThat(f.eventId()).isNull();
        assertThat(f.decisionId()).isEqualTo("d1");
        assertThat(f.actualAmount()).isEqualByComparingTo("3.00");
        assertThat(f.versionApplied()).isEqualTo("p@v1");
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.CHARGED_WITHOUT_USAGE);
        assertThat(f.moneyAmount()).isEqualByComparingTo("3.00");
        // Still a lineage gap when denied, but nothing was billed.
        assertThat(r.unlinked(decision("d2").event(null).denied().build()).moneyClass()).isNull();
    }

    @Test
    @DisplayName("DUPLICATE_DECISION: an event has more than one decision")
    void duplicateDecision() {
        List<Finding> fs = audit(UNIT, DEFAULTS, usage("5"),
                decision("d1").charged("10.00"), decision("d2").charged("10.00").at(T.plusSeconds(60)));
        // One finding per event, even though both decisions are right on their own.
        assertThat(codes(fs)).containsExactly(FindingCode.DUPLICATE_DECISION);
        Finding f = only(fs, FindingCode.DUPLICATE_DECISION);
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.eventId()).isEqualTo("e1");
        assertThat(f.decisionId()).isNull();
        assertThat(f.expectedAmount()).isEqualByComparingTo("10.00");
        assertThat(f.versionAsKnown()).isEqualTo("p@v1");
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.DOUBLE_CHARGED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("10.00"); // d2, the later one: d1 is the charge
        assertThat(f.moneyEffect()).isEqualByComparingTo("-10.00");
        assertThat(f.currency()).isEqualTo("EUR");
    }

    @Test
    @DisplayName("DUPLICATE_EVENT_CONFLICT: one event_id, different contents")
    void duplicateEventConflict() {
        // Core builds the finding; comparing the rows of one event_id is staging's job (io), which leaves the event out of rating.
        Finding f = new Reconciler(UNIT, DEFAULTS).duplicateEventConflict("e1", "c", "m", T, 2, 3);
        assertThat(f.code()).isEqualTo(FindingCode.DUPLICATE_EVENT_CONFLICT);
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.eventId()).isEqualTo("e1");
        assertThat(f.customerId()).isEqualTo("c");
        assertThat(f.meter()).isEqualTo("m");
        assertThat(f.eventTime()).isEqualTo(T);
        assertThat(f.decisionId()).isNull();
        // Not rated: no expectation, no amount, no version, no money.
        assertThat(f.expectedAmount()).isNull();
        assertThat(f.actualAmount()).isNull();
        assertThat(f.difference()).isNull();
        assertThat(f.versionAsKnown()).isNull();
        assertThat(f.moneyClass()).isNull();
        assertThat(f.explanation()).contains("3 times with 2 different contents");
    }

    // ---- amounts and outcomes, against the as-known expectation ----

    @Test
    @DisplayName("AMOUNT_MISMATCH: expected and actual differ by more than half a minor unit and the tolerance")
    void amountMismatch() {
        List<Finding> fs = audit(UNIT, DEFAULTS, usage("5"), decision("d1").charged("10.50"));
        assertThat(codes(fs)).containsExactly(FindingCode.AMOUNT_MISMATCH);
        Finding f = only(fs, FindingCode.AMOUNT_MISMATCH);
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.eventId()).isEqualTo("e1");
        assertThat(f.decisionId()).isEqualTo("d1");
        assertThat(f.expectedAmount()).isEqualByComparingTo("10.00");
        assertThat(f.actualAmount()).isEqualByComparingTo("10.50");
        assertThat(f.difference()).isEqualByComparingTo("0.50"); // actual minus expected
        assertThat(f.expectedOutcome()).isEqualTo("charged");
        assertThat(f.actualOutcome()).isEqualTo("charged");
        assertThat(f.currency()).isEqualTo("EUR");
        assertThat(f.versionAsKnown()).isEqualTo("p@v1");
        assertThat(f.versionAsCorrected()).isEqualTo("p@v1");
        assertThat(f.versionApplied()).isEqualTo("p@v1");
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.OVERCHARGED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("0.50");
        assertThat(f.moneyEffect()).isEqualByComparingTo("-0.50");

        // Just above half a cent (EUR) is already a mismatch at the default tolerance 0; charged less, the difference is negative.
        Finding under = only(audit(UNIT, DEFAULTS, usage("5"), decision("d1").charged("9.9949")), FindingCode.AMOUNT_MISMATCH);
        assertThat(under.difference()).isEqualByComparingTo("-0.0051");
        assertThat(under.moneyClass()).isEqualTo(MoneyClass.UNDERCHARGED);
        // Near side of the tolerance: a difference of exactly the tolerance is accepted ("more than the tolerance").
        Reconciler.Params tolerant = new Reconciler.Params(new BigDecimal("0.50"), null);
        assertThat(audit(UNIT, tolerant, usage("5"), decision("d1").charged("10.50"))).isEmpty();
        assertThat(codes(audit(UNIT, tolerant, usage("5"), decision("d1").charged("10.51")))).containsExactly(FindingCode.AMOUNT_MISMATCH);
    }

    @Test
    @DisplayName("ROUNDING_DIFFERENCE: expected and actual differ by no more than half of the currency's minor unit")
    void roundingDifference() {
        List<Finding> fs = audit(UNIT, DEFAULTS, usage("5"), decision("d1").charged("10.005"));
        assertThat(codes(fs)).containsExactly(FindingCode.ROUNDING_DIFFERENCE);
        Finding f = only(fs, FindingCode.ROUNDING_DIFFERENCE);
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
        assertThat(f.decisionId()).isEqualTo("d1");
        assertThat(f.expectedAmount()).isEqualByComparingTo("10.00");
        assertThat(f.actualAmount()).isEqualByComparingTo("10.005");
        assertThat(f.difference()).isEqualByComparingTo("0.005"); // exactly half a cent: still rounding
        assertThat(f.versionAsKnown()).isEqualTo("p@v1");
        assertThat(f.versionApplied()).isEqualTo("p@v1");
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.OVERCHARGED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("0.005");

        // Just beyond half a cent it is AMOUNT_MISMATCH (see amountMismatch); equal amounts are no finding at all.
        assertThat(codes(audit(UNIT, DEFAULTS, usage("5"), decision("d1").charged("10.0051")))).containsExactly(FindingCode.AMOUNT_MISMATCH);
        assertThat(audit(UNIT, DEFAULTS, usage("5"), decision("d1").charged("10.000"))).isEmpty();
        // Half a minor unit is the decision's currency's: JPY has no decimals, so half a yen is a rounding difference.
        PolicyRegistry yen = new PolicyRegistry(List.of(new Policy("py", PolicyKind.PRICE, "m", null, "JPY",
                List.of(Policies.version("py", 1, Policies.unit("100"))), "py.yaml")));
        Finding jpy = only(audit(yen, DEFAULTS, usage("5"), decision("d1").charged("499.5").currency("JPY").price("py", 1)),
                FindingCode.ROUNDING_DIFFERENCE);
        assertThat(jpy.difference()).isEqualByComparingTo("-0.5");
        assertThat(jpy.moneyClass()).isEqualTo(MoneyClass.UNDERCHARGED);
    }

    @Test
    @DisplayName("OUTCOME_MISMATCH: charged where denied was expected, or the reverse")
    void outcomeMismatch() {
        // 12 units over an entitlement of 10: denied is expected, and the decision charged 24.00.
        List<Finding> fs = audit(LIMITED, DEFAULTS, usage("12"), decision("d1").charged("24.00"));
        assertThat(codes(fs)).containsExactly(FindingCode.OUTCOME_MISMATCH); // amounts are not compared as well
        Finding f = only(fs, FindingCode.OUTCOME_MISMATCH);
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.decisionId()).isEqualTo("d1");
        assertThat(f.expectedOutcome()).isEqualTo("denied");
        assertThat(f.actualOutcome()).isEqualTo("charged");
        assertThat(f.expectedAmount()).isEqualByComparingTo("0");
        assertThat(f.actualAmount()).isEqualByComparingTo("24.00");
        assertThat(f.difference()).isEqualByComparingTo("24.00");
        assertThat(f.versionAsKnown()).isEqualTo("p@v1");
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.OVERCHARGED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("24.00");

        // The reverse: denied where 8.00 was due.
        Finding denied = only(audit(LIMITED, DEFAULTS, usage("4"), decision("d1").denied()), FindingCode.OUTCOME_MISMATCH);
        assertThat(denied.expectedOutcome()).isEqualTo("charged");
        assertThat(denied.difference()).isEqualByComparingTo("-8.00");
        assertThat(denied.moneyClass()).isEqualTo(MoneyClass.UNDERCHARGED);
        // Near side of the entitlement: before + quantity = limit is allowed, so charging exactly 10 units is right.
        assertThat(audit(LIMITED, DEFAULTS, usage("10"), decision("d1").charged("20.00"))).isEmpty();
    }

    // ---- rule references of a decision (only the first that applies) ----

    @Test
    @DisplayName("WRONG_VERSION: the applied version is not the one expected as-known, even when the amounts agree")
    void wrongVersion() {
        // A scheduled change: v2 takes over on 1 March at the same price; the decision of 2 March still applied v1.
        Instant march = Instant.parse("2026-03-01T00:00:00Z");
        PolicyRegistry scheduled = registry(
                Policies.version("p", 1, Policies.JAN_2026, march, Policies.DEC_2025, Policies.unit("2.00")),
                Policies.version("p", 2, march, null, Policies.DEC_2025, Policies.unit("2.00")));
        List<Finding> fs = audit(scheduled, DEFAULTS, usage("5"), decision("d1").charged("10.00").price("p", 1));
        assertThat(codes(fs)).containsExactly(FindingCode.WRONG_VERSION); // the amounts agree: nothing else
        Finding f = only(fs, FindingCode.WRONG_VERSION);
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.decisionId()).isEqualTo("d1");
        assertThat(f.versionAsKnown()).isEqualTo("p@v2");
        assertThat(f.versionAsCorrected()).isEqualTo("p@v2");
        assertThat(f.versionApplied()).isEqualTo("p@v1");
        assertThat(f.expectedAmount()).isEqualByComparingTo("10.00");
        assertThat(f.actualAmount()).isEqualByComparingTo("10.00");
        assertThat(f.difference()).isNull();
        assertThat(f.moneyClass()).isNull();

        // Near side: the version expected as-known is right even when a correction recorded later names another
        // (that is RETROACTIVE_CORRECTION's business, and here it changes no amount).
        PolicyRegistry corrected = registry(
                Policies.version("p", 1, Policies.JAN_2026, null, Policies.DEC_2025, Policies.unit("2.00")),
                Policies.version("p", 2, Policies.JAN_2026, null, T.plusSeconds(3600), Policies.unit("2.00")));
        assertThat(audit(corrected, DEFAULTS, usage("5"), decision("d1").charged("10.00").price("p", 1))).isEmpty();
    }

    @Test
    @DisplayName("UNKNOWN_POLICY_VERSION: the applied policy or version does not exist in the registry")
    void unknownPolicyVersion() {
        List<Finding> fs = audit(UNIT, DEFAULTS, usage("5"), decision("d1").charged("10.00").price("p", 7));
        assertThat(codes(fs)).containsExactly(FindingCode.UNKNOWN_POLICY_VERSION); // not WRONG_VERSION as well
        Finding f = only(fs, FindingCode.UNKNOWN_POLICY_VERSION);
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.decisionId()).isEqualTo("d1");
        assertThat(f.versionApplied()).isEqualTo("p@v7");
        assertThat(f.versionAsKnown()).isEqualTo("p@v1");
        assertThat(f.moneyClass()).isNull();
        // An unknown policy is the same finding.
        assertThat(only(audit(UNIT, DEFAULTS, usage("5"), decision("d1").charged("10.00").price("nope", 1)),
                FindingCode.UNKNOWN_POLICY_VERSION).versionApplied()).isEqualTo("nope@v1");
    }

    @Test
    @DisplayName("NOT_YET_RECORDED: the applied version was recorded after the decision was made")
    void notYetRecorded() {
        // v2 corrects v1 at the same price, recorded one second after the decision, which already applied it.
        List<Finding> fs = audit(correctedAt(T.plusSeconds(1)), DEFAULTS, usage("5"), decision("d1").charged("10.00").price("p", 2));
        assertThat(codes(fs)).containsExactly(FindingCode.NOT_YET_RECORDED); // and not WRONG_VERSION: only the first is reported
        Finding f = only(fs, FindingCode.NOT_YET_RECORDED);
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.decisionId()).isEqualTo("d1");
        assertThat(f.decidedAt()).isEqualTo(T);
        assertThat(f.versionApplied()).isEqualTo("p@v2");
        assertThat(f.versionAsKnown()).isEqualTo("p@v1");
        assertThat(f.versionAsCorrected()).isEqualTo("p@v2");
        assertThat(f.moneyClass()).isNull();
        // Near side: recorded_at <= k, so a version recorded at the very instant of the decision was known, and is the
        // one expected as-known: neither NOT_YET_RECORDED nor WRONG_VERSION.
        assertThat(audit(correctedAt(T), DEFAULTS, usage("5"), decision("d1").charged("10.00").price("p", 2))).isEmpty();
    }

    @Test
    @DisplayName("MISSING_RULE_REF: a charged decision names no price policy or version")
    void missingRuleRef() {
        List<Finding> fs = audit(UNIT, DEFAULTS, usage("5"), decision("d1").charged("10.00").price(null, null));
        assertThat(codes(fs)).containsExactly(FindingCode.MISSING_RULE_REF);
        Finding f = only(fs, FindingCode.MISSING_RULE_REF);
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
        assertThat(f.decisionId()).isEqualTo("d1");
        assertThat(f.versionApplied()).isNull();
        assertThat(f.versionAsKnown()).isEqualTo("p@v1");
        assertThat(f.moneyClass()).isNull();
        // "without both": a policy without its version is the same finding, and names what it has.
        assertThat(only(audit(UNIT, DEFAULTS, usage("5"), decision("d1").charged("10.00").price("p", null)), FindingCode.MISSING_RULE_REF)
                .versionApplied()).isEqualTo("p@v?");
        // Near side: only a charged decision needs a price reference; a rightly denied one without any is fine.
        assertThat(audit(LIMITED, DEFAULTS, usage("12"), decision("d1").denied().price(null, null))).isEmpty();
    }

    // ---- no expectation: reported once per event, from the as-known view ----

    @Test
    @DisplayName("NO_POLICY: no price version applies to the event")
    void noPolicy() {
        // p starts on 3 March (valid_from inclusive); the event of 2 March has no price. The decision's amount is unverified.
        Instant from = Instant.parse("2026-03-03T00:00:00Z");
        PolicyRegistry later = registry(Policies.version("p", 1, from, null, Policies.DEC_2025, Policies.unit("2.00")));
        List<Finding> fs = audit(later, DEFAULTS, usage("5"), decision("d1").charged("9.99"));
        assertThat(codes(fs)).containsExactly(FindingCode.NO_POLICY); // its amount is not compared
        Finding f = only(fs, FindingCode.NO_POLICY);
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.eventId()).isEqualTo("e1");
        assertThat(f.decisionId()).isNull();
        assertThat(f.expectedAmount()).isNull();
        assertThat(f.versionAsKnown()).isNull();
        assertThat(f.versionAsCorrected()).isNull();
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.UNVERIFIED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("9.99");
        assertThat(f.moneyEffect()).isNull();
        assertThat(f.currency()).isEqualTo("EUR"); // the currency it was billed in
        // Near side: at valid_from itself the version applies.
        assertThat(audit(later, DEFAULTS, usage("5").at(from), decision("d1").charged("10.00").at(from))).isEmpty();
    }

    @Test
    @DisplayName("NO_PRICE: a matrix rule has no entry for the event's dimensions, or a percentage rule meets an event without value")
    void noPrice() {
        PolicyRegistry matrix = registry(Policies.version("p", 1, new Rule.Matrix(List.of("region"),
                List.of(new Rule.MatrixEntry(Map.of("region", "eu"), new BigDecimal("2.00"))), null)));
        List<Finding> fs = audit(matrix, DEFAULTS, usage("5").dimension("region", "us"), decision("d1").charged("10.00"));
        assertThat(codes(fs)).containsExactly(FindingCode.NO_PRICE);
        Finding f = only(fs, FindingCode.NO_PRICE);
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.eventId()).isEqualTo("e1");
        assertThat(f.decisionId()).isNull();
        assertThat(f.expectedAmount()).isNull();
        assertThat(f.versionAsKnown()).isEqualTo("p@v1"); // a version applies; it just has no price for the event
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.UNVERIFIED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("10.00");
        // Near side: the matching entry prices it.
        assertThat(audit(matrix, DEFAULTS, usage("5").dimension("region", "eu"), decision("d1").charged("10.00"))).isEmpty();
        // The contract's other cause: a percentage price and an event without value.
        PolicyRegistry percentage = registry(Policies.version("p", 1, new Rule.Percentage(new BigDecimal("2.9"), null, null, null)));
        assertThat(codes(audit(percentage, DEFAULTS, usage("1"), decision("d1").charged("0.29")))).containsExactly(FindingCode.NO_PRICE);
    }

    @Test
    @DisplayName("POLICY_CONFLICT: two policies of one kind both apply")
    void policyConflict() {
        PolicyRegistry two = new PolicyRegistry(List.of(Policies.price("p", "m", null, Policies.unit("2.00")),
                Policies.price("p2", "m", null, Policies.unit("2.00"))));
        List<Finding> fs = audit(two, DEFAULTS, usage("5"), decision("d1").charged("10.00"));
        assertThat(codes(fs)).containsExactly(FindingCode.POLICY_CONFLICT); // nothing chosen: no amount or version to compare
        Finding f = only(fs, FindingCode.POLICY_CONFLICT);
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.eventId()).isEqualTo("e1");
        assertThat(f.decisionId()).isNull();
        assertThat(f.expectedAmount()).isNull();
        assertThat(f.versionAsKnown()).isNull();
        assertThat(f.explanation()).contains("p, p2");
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.UNVERIFIED);
        // Near side: a customer-specific policy wins over a default, so that is no conflict.
        PolicyRegistry specific = new PolicyRegistry(List.of(Policies.price("p", "m", "c", Policies.unit("2.00")),
                Policies.price("p2", "m", null, Policies.unit("3.00"))));
        assertThat(audit(specific, DEFAULTS, usage("5"), decision("d1").charged("10.00"))).isEmpty();
    }

    // ---- the rest ----

    @Test
    @DisplayName("CURRENCY_MISMATCH: the decision's currency is not the policy's")
    void currencyMismatch() {
        List<Finding> fs = audit(UNIT, DEFAULTS, usage("5"), decision("d1").charged("10.00").currency("USD"));
        assertThat(codes(fs)).containsExactly(FindingCode.CURRENCY_MISMATCH);
        Finding f = only(fs, FindingCode.CURRENCY_MISMATCH);
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.decisionId()).isEqualTo("d1");
        assertThat(f.currency()).isEqualTo("USD"); // the decision's
        assertThat(f.expectedAmount()).isEqualByComparingTo("10.00");
        assertThat(f.actualAmount()).isEqualByComparingTo("10.00");
        assertThat(f.versionAsKnown()).isEqualTo("p@v1");
        assertThat(f.explanation()).contains("USD").contains("EUR");
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.UNVERIFIED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("10.00");
        // An amount finding beside it carries no money of its own: the billed amount is already unverified.
        List<Finding> off = audit(UNIT, DEFAULTS, usage("5"), decision("d1").charged("12.00").currency("USD"));
        assertThat(codes(off)).containsExactly(FindingCode.CURRENCY_MISMATCH, FindingCode.AMOUNT_MISMATCH);
        assertThat(only(off, FindingCode.AMOUNT_MISMATCH).moneyClass()).isNull();
    }

    @Test
    @DisplayName("RETROACTIVE_CORRECTION: the amount expected as-corrected differs from the one expected as-known")
    void retroactiveCorrection() {
        // v2 (1.50 a unit) corrects v1 (2.00) over the same valid time, recorded an hour after the decision.
        PolicyRegistry cheaper = registry(
                Policies.version("p", 1, Policies.JAN_2026, null, Policies.DEC_2025, Policies.unit("2.00")),
                Policies.version("p", 2, Policies.JAN_2026, null, T.plusSeconds(3600), Policies.unit("1.50")));
        List<Finding> fs = audit(cheaper, DEFAULTS, usage("10"), decision("d1").charged("20.00"));
        assertThat(codes(fs)).containsExactly(FindingCode.RETROACTIVE_CORRECTION); // not a control failure: d1 was right
        Finding f = only(fs, FindingCode.RETROACTIVE_CORRECTION);
        assertThat(f.severity()).isEqualTo(Severity.INFO);
        assertThat(f.eventId()).isEqualTo("e1");
        assertThat(f.decisionId()).isNull();
        assertThat(f.decidedAt()).isEqualTo(T); // the event's knowledge time
        assertThat(f.expectedAmount()).isEqualByComparingTo("15.00"); // as corrected
        assertThat(f.actualAmount()).isEqualByComparingTo("20.00");   // as known: what the books say
        assertThat(f.difference()).isEqualByComparingTo("5.00");      // actual minus expected
        assertThat(f.versionAsKnown()).isEqualTo("p@v1");
        assertThat(f.versionAsCorrected()).isEqualTo("p@v2");
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.RETROACTIVE);
        assertThat(f.moneyAmount()).isEqualByComparingTo("-5.00"); // as corrected minus as known: the customer is owed
        // Near side: a correction recorded at the decision's very instant was known then, so there is nothing
        // retroactive about it (the decision that ignored it is judged against it instead).
        PolicyRegistry known = registry(
                Policies.version("p", 1, Policies.JAN_2026, null, Policies.DEC_2025, Policies.unit("2.00")),
                Policies.version("p", 2, Policies.JAN_2026, null, T, Policies.unit("1.50")));
        assertThat(codes(audit(known, DEFAULTS, usage("10"), decision("d1").charged("20.00"))))
                .doesNotContain(FindingCode.RETROACTIVE_CORRECTION).contains(FindingCode.WRONG_VERSION, FindingCode.AMOUNT_MISMATCH);
    }

    @Test
    @DisplayName("LATE_DECISION: decided_at - event_time exceeds the configured limit")
    void lateDecision() {
        Reconciler.Params hour = new Reconciler.Params(BigDecimal.ZERO, Duration.ofHours(1));
        Instant late = T.plusSeconds(3601);
        List<Finding> fs = audit(UNIT, hour, usage("5"), decision("d1").charged("10.00").at(late));
        assertThat(codes(fs)).containsExactly(FindingCode.LATE_DECISION);
        Finding f = only(fs, FindingCode.LATE_DECISION);
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
        assertThat(f.decisionId()).isEqualTo("d1");
        assertThat(f.eventTime()).isEqualTo(T);
        assertThat(f.decidedAt()).isEqualTo(late);
        assertThat(f.moneyClass()).isNull();
        // Near side: exactly at the limit does not exceed it; and without --late-after there is no limit at all.
        assertThat(audit(UNIT, hour, usage("5"), decision("d1").charged("10.00").at(T.plusSeconds(3600)))).isEmpty();
        assertThat(audit(UNIT, DEFAULTS, usage("5"), decision("d1").charged("10.00").at(T.plusSeconds(86_400 * 30)))).isEmpty();
    }

    // ---- a checks file's thresholds (not in contracts section 5; ThresholdRulesTest has more) ----

    static final Checks THRESHOLDS = new Checks(Map.of(), null, Map.of(), Map.of(), new Checks.Thresholds(new BigDecimal("0.01"),
            new BigDecimal("0.95"), Map.of("EUR", Map.of(MoneyClass.OVERCHARGED, new BigDecimal("100")))), null);

    static List<Finding> thresholds(long inputRows, long quarantined, String coverage, String overcharged) {
        return ThresholdRules.evaluate(THRESHOLDS, new ThresholdRules.Measures(inputRows, quarantined, new BigDecimal(coverage),
                Map.of("EUR", Map.of(MoneyClass.OVERCHARGED, new BigDecimal(overcharged)))));
    }

    @Test
    @DisplayName("THRESHOLD_QUARANTINE: the quarantined share of input rows is above the checks file's limit")
    void thresholdQuarantine() {
        List<Finding> fs = thresholds(100, 2, "1", "0");
        assertThat(codes(fs)).containsExactly(FindingCode.THRESHOLD_QUARANTINE);
        Finding f = fs.get(0);
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.expectedAmount()).isEqualByComparingTo("0.01"); // the limit
        assertThat(f.actualAmount()).isEqualByComparingTo("0.02");   // the measured rate
        assertThat(f.difference()).isEqualByComparingTo("0.01");     // measured minus limit
        assertThat(thresholds(100, 1, "1", "0")).isEmpty(); // at the limit
    }

    @Test
    @DisplayName("THRESHOLD_COVERAGE: lineage coverage is below the checks file's floor")
    void thresholdCoverage() {
        List<Finding> fs = thresholds(100, 0, "0.9", "0");
        assertThat(codes(fs)).containsExactly(FindingCode.THRESHOLD_COVERAGE);
        Finding f = fs.get(0);
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.expectedAmount()).isEqualByComparingTo("0.95");
        assertThat(f.actualAmount()).isEqualByComparingTo("0.9");
        assertThat(f.difference()).isEqualByComparingTo("-0.05");
        assertThat(thresholds(100, 0, "0.95", "0")).isEmpty(); // at the floor
    }

    @Test
    @DisplayName("THRESHOLD_MONEY: money of one class in one currency is above the checks file's limit")
    void thresholdMoney() {
        List<Finding> fs = thresholds(100, 0, "1", "100.01");
        assertThat(codes(fs)).containsExactly(FindingCode.THRESHOLD_MONEY);
        Finding f = fs.get(0);
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.currency()).isEqualTo("EUR");
        assertThat(f.expectedAmount()).isEqualByComparingTo("100");
        assertThat(f.actualAmount()).isEqualByComparingTo("100.01");
        assertThat(f.explanation()).startsWith("overcharged money is EUR 100.01");
        assertThat(f.moneyClass()).isNull(); // a threshold adds no money of its own
        assertThat(thresholds(100, 0, "1", "100")).isEmpty(); // at the limit
    }

    // ---- the codes themselves ----

    @Test
    void everyFindingCodeHasATestNamedAfterIt() {
        Set<String> tests = Arrays.stream(FindingCodesTest.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class)).map(Method::getName).collect(Collectors.toSet());
        List<String> missing = Arrays.stream(FindingCode.values()).map(FindingCodesTest::testName).filter(n -> !tests.contains(n)).toList();
        assertThat(missing).as("every FindingCode needs a @Test in FindingCodesTest named after it in lower camel case").isEmpty();
        assertThat(Arrays.stream(FindingCode.values()).filter(FindingCode::inContract)).as("the codes of contracts section 5").hasSize(18);
    }

    @Test
    void amountMismatchAndRoundingDifferenceAreTheCodesWhoseDifferenceIsMoneyAtRisk() {
        assertThat(Arrays.stream(FindingCode.values()).filter(FindingCode::atRisk))
                .containsExactly(FindingCode.AMOUNT_MISMATCH, FindingCode.ROUNDING_DIFFERENCE);
        // What the summary's and the report's SQL put in "code IN (...)": the same text they hard-coded before.
        assertThat(FindingCode.atRiskSqlList()).isEqualTo("'AMOUNT_MISMATCH', 'ROUNDING_DIFFERENCE'");
    }

    /** {@code AMOUNT_MISMATCH} -> {@code amountMismatch}. */
    static String testName(FindingCode code) {
        StringBuilder s = new StringBuilder();
        for (String part : code.name().toLowerCase(java.util.Locale.ROOT).split("_"))
            s.append(s.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        return s.toString();
    }

    static PolicyRegistry registry(PolicyVersion... priceVersions) {
        return new PolicyRegistry(List.of(Policies.policy("p", PolicyKind.PRICE, "m", null, priceVersions)));
    }

    /** p v1 (2.00) and its correction v2 at the same price and valid time, recorded at {@code recordedAt}. */
    static PolicyRegistry correctedAt(Instant recordedAt) {
        return registry(Policies.version("p", 1, Policies.JAN_2026, null, Policies.DEC_2025, Policies.unit("2.00")),
                Policies.version("p", 2, Policies.JAN_2026, null, recordedAt, Policies.unit("2.00")));
    }

    /**
     * The smallest audit of one event: rate it with {@link PeriodRater} (its knowledge time, as contracts section 9 says,
     * is the earliest decided_at of its decisions) and check it and its decisions with {@link Reconciler#check}.
     */
    static final class Audit {
        private Audit() {}

        static Usage usage(String quantity) {
            return new Usage(new BigDecimal(quantity), T, null, Map.of());
        }

        static D decision(String id) {
            return new D(id);
        }

        static List<Finding> audit(PolicyRegistry registry, Reconciler.Params params, Usage usage, D... decisions) {
            List<DecisionRecord> ds = Arrays.stream(decisions).map(D::build).toList();
            Instant knownAt = ds.stream().map(DecisionRecord::decidedAt).min(Comparator.naturalOrder()).orElse(null);
            RatingEvent e = new RatingEvent("e1", "c", "m", usage.quantity(), usage.time(), knownAt, usage.value(), usage.dimensions());
            ExpectedEvent x = new PeriodRater(registry, CUTOFF).rate(List.of(e)).get(0);
            List<Finding> out = new ArrayList<>();
            new Reconciler(registry, params).check(x, ds, out::add);
            return out;
        }

        static List<FindingCode> codes(List<Finding> fs) {
            return fs.stream().map(Finding::code).toList();
        }

        static Finding only(List<Finding> fs, FindingCode code) {
            List<Finding> of = fs.stream().filter(f -> f.code() == code).toList();
            assertThat(of).as("findings of %s among %s", code, fs).hasSize(1);
            return of.get(0);
        }
    }

    /** Event e1 of customer c, meter m. */
    record Usage(BigDecimal quantity, Instant time, BigDecimal value, Map<String, String> dimensions) {
        Usage at(Instant t) {
            return new Usage(quantity, t, value, dimensions);
        }

        Usage dimension(String key, String v) {
            return new Usage(quantity, time, value, Map.of(key, v));
        }
    }

    /** A decision of e1 (customer c, meter m) at {@link #T} in EUR, applying p@v1, until told otherwise. */
    static final class D {
        private final String id;
        private String eventId = "e1";
        private Outcome outcome = Outcome.CHARGED;
        private BigDecimal amount = BigDecimal.ZERO;
        private String currency = "EUR";
        private String pricePolicy = "p";
        private Integer priceVersion = 1;
        private Instant decidedAt = T;

        D(String id) {
            this.id = id;
        }

        D charged(String a) {
            outcome = Outcome.CHARGED;
            amount = new BigDecimal(a);
            return this;
        }

        D denied() {
            outcome = Outcome.DENIED;
            amount = BigDecimal.ZERO;
            return this;
        }

        D event(String e) {
            eventId = e;
            return this;
        }

        D currency(String c) {
            currency = c;
            return this;
        }

        D price(String policy, Integer version) {
            pricePolicy = policy;
            priceVersion = version;
            return this;
        }

        D at(Instant t) {
            decidedAt = t;
            return this;
        }

        DecisionRecord build() {
            return new DecisionRecord(id, eventId, "c", "m", outcome, amount, currency, pricePolicy, priceVersion, null, null, null, null,
                    decidedAt, "inv-" + id);
        }
    }
}
