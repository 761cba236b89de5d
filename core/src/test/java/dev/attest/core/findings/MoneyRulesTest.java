package dev.attest.core.findings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.policy.Policies;
import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.Rule;
import dev.attest.core.rating.ExpectedEvent;
import dev.attest.core.rating.Outcome;
import dev.attest.core.rating.PeriodRater;
import dev.attest.core.rating.RatingEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each money class of issue 14, decided by the Reconciler on real ratings (no mocks). */
class MoneyRulesTest {
    static final Instant T = Instant.parse("2026-03-02T10:00:00Z");
    static final Instant CUTOFF = Instant.parse("2026-05-01T00:00:00Z");
    /** 2.00 EUR a unit; an entitlement of 10 units a month. */
    static final PolicyRegistry REG = new PolicyRegistry(List.of(
            Policies.price("p", "m", null, Policies.unit("2.00")),
            Policies.policy("q", PolicyKind.ENTITLEMENT, "m", null, Policies.version("q", 1, new Rule.Entitlement(BigDecimal.TEN)))));

    static ExpectedEvent event(PolicyRegistry reg, String quantity, Instant knownAt) {
        RatingEvent e = new RatingEvent("e1", "c", "m", new BigDecimal(quantity), T, knownAt, null, Map.of());
        return new PeriodRater(reg, CUTOFF).rate(List.of(e)).get(0);
    }

    static DecisionRecord decision(String id, Outcome outcome, String amount, Instant decidedAt) {
        return new DecisionRecord(id, "e1", "c", "m", outcome, new BigDecimal(amount), "EUR", "p", 1, null, null,
                "q", 1, decidedAt, "inv-" + id);
    }

    static List<Finding> check(PolicyRegistry reg, ExpectedEvent e, DecisionRecord... ds) {
        List<Finding> out = new ArrayList<>();
        new Reconciler(reg, new Reconciler.Params(BigDecimal.ZERO, null)).check(e, List.of(ds), out::add);
        return out;
    }

    static Finding only(List<Finding> fs, FindingCode code) {
        return fs.stream().filter(f -> f.code() == code).reduce((a, b) -> {
            throw new AssertionError("more than one " + code);
        }).orElseThrow(() -> new AssertionError("no " + code + " in " + fs));
    }

    @Test
    void anAmountAboveTheExpectationIsOverchargedByTheDifference() {
        Finding f = only(check(REG, event(REG, "5", T), decision("d1", Outcome.CHARGED, "10.50", T)), FindingCode.AMOUNT_MISMATCH);
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.OVERCHARGED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("0.50");
        assertThat(f.moneyEffect()).isEqualByComparingTo("-0.50"); // correct minus billed: the customer is owed
        assertThat(f.invoiceId()).isEqualTo("inv-d1");
    }

    @Test
    void anAmountBelowTheExpectationIsUnderchargedByTheDifference() {
        Finding f = only(check(REG, event(REG, "5", T), decision("d1", Outcome.CHARGED, "7", T)), FindingCode.AMOUNT_MISMATCH);
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.UNDERCHARGED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("3");
        assertThat(f.moneyEffect()).isEqualByComparingTo("3");
    }

    @Test
    void aRoundingDifferenceIsOverOrUnderchargedToo() {
        Finding over = only(check(REG, event(REG, "5", T), decision("d1", Outcome.CHARGED, "10.004", T)), FindingCode.ROUNDING_DIFFERENCE);
        assertThat(over.moneyClass()).isEqualTo(MoneyClass.OVERCHARGED);
        assertThat(over.moneyAmount()).isEqualByComparingTo("0.004");
        Finding under = only(check(REG, event(REG, "5", T), decision("d1", Outcome.CHARGED, "9.996", T)), FindingCode.ROUNDING_DIFFERENCE);
        assertThat(under.moneyClass()).isEqualTo(MoneyClass.UNDERCHARGED);
        assertThat(under.moneyEffect()).isEqualByComparingTo("0.004");
    }

    @Test
    void chargedWhereDeniedWasExpectedIsOverchargedByTheAmountCharged() {
        // 12 units > the entitlement of 10: denied is expected.
        Finding f = only(check(REG, event(REG, "12", T), decision("d1", Outcome.CHARGED, "24", T)), FindingCode.OUTCOME_MISMATCH);
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.OVERCHARGED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("24");
        assertThat(f.moneyEffect()).isEqualByComparingTo("-24");
        assertThat(f.difference()).isEqualByComparingTo("24"); // no longer empty: actual minus expected (0)
    }

    @Test
    void deniedWhereAChargeWasExpectedIsUnderchargedByTheExpectedAmount() {
        Finding f = only(check(REG, event(REG, "4", T), decision("d1", Outcome.DENIED, "0", T)), FindingCode.OUTCOME_MISMATCH);
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.UNDERCHARGED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("8");
        assertThat(f.moneyEffect()).isEqualByComparingTo("8");
        assertThat(f.difference()).isEqualByComparingTo("-8");
    }

    @Test
    void anEventWithoutDecisionThatShouldHaveBeenChargedIsUnbilled() {
        Finding f = only(check(REG, event(REG, "3", null)), FindingCode.MISSING_DECISION);
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.UNBILLED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("6");
        assertThat(f.moneyEffect()).isEqualByComparingTo("6");
        // denied as expected (over the entitlement): nothing was owed
        assertThat(only(check(REG, event(REG, "12", null)), FindingCode.MISSING_DECISION).moneyClass()).isNull();
    }

    @Test
    void theEarliestDecisionIsTheChargeAndEveryOtherChargedOneIsDoubleChargedNotCountedAgainAsOverOrUndercharged() {
        ExpectedEvent e = event(REG, "5", T); // 10.00 expected
        List<Finding> fs = check(REG, e,
                decision("d3", Outcome.CHARGED, "11", T.plusSeconds(60)),   // later: double-charged; its mismatch moves no money
                decision("d2", Outcome.CHARGED, "10", T),                   // same decided_at as d1, higher id: double-charged
                decision("d1", Outcome.CHARGED, "10", T),                   // the charge
                decision("d4", Outcome.DENIED, "0", T.plusSeconds(120)));   // not charged: no money
        Finding dup = only(fs, FindingCode.DUPLICATE_DECISION);
        assertThat(dup.moneyClass()).isEqualTo(MoneyClass.DOUBLE_CHARGED);
        assertThat(dup.moneyAmount()).isEqualByComparingTo("21");
        assertThat(dup.moneyEffect()).isEqualByComparingTo("-21");
        assertThat(dup.currency()).isEqualTo("EUR");
        assertThat(dup.explanation()).contains("d1 (decided first) is the charge");
        // Contracts section 9: every decision is still checked against the same expectation; the duplicates' rows move
        // no money (theirs is the double charge).
        assertThat(fs).filteredOn(f -> f.code() == FindingCode.AMOUNT_MISMATCH || f.code() == FindingCode.OUTCOME_MISMATCH)
                .extracting(Finding::decisionId).containsExactlyInAnyOrder("d3", "d4");
        assertThat(fs).filteredOn(f -> f.code() == FindingCode.AMOUNT_MISMATCH || f.code() == FindingCode.OUTCOME_MISMATCH)
                .allSatisfy(f -> assertThat(f.moneyClass()).isNull());
    }

    @Test
    void theChargeOfADuplicatedEventIsStillComparedWithTheExpectation() {
        List<Finding> fs = check(REG, event(REG, "5", T),
                decision("d1", Outcome.CHARGED, "12", T), decision("d2", Outcome.CHARGED, "10", T.plusSeconds(1)));
        Finding m = only(fs, FindingCode.AMOUNT_MISMATCH);
        assertThat(m.decisionId()).isEqualTo("d1");
        assertThat(m.moneyClass()).isEqualTo(MoneyClass.OVERCHARGED);
        assertThat(m.moneyAmount()).isEqualByComparingTo("2");
        assertThat(only(fs, FindingCode.DUPLICATE_DECISION).moneyAmount()).isEqualByComparingTo("10");
    }

    @Test
    void aWrongDuplicateIsStillAnAmountMismatchButItsMoneyIsTheDoubleCharge() {
        // Contracts section 9: every decision of the event is checked against the same expectation.
        List<Finding> fs = check(REG, event(REG, "5", T),
                decision("d1", Outcome.CHARGED, "10", T), decision("d2", Outcome.CHARGED, "11", T.plusSeconds(1)));
        Finding m = only(fs, FindingCode.AMOUNT_MISMATCH);
        assertThat(m.decisionId()).isEqualTo("d2");
        assertThat(m.difference()).isEqualByComparingTo("1");
        assertThat(m.moneyClass()).isNull();
        assertThat(only(fs, FindingCode.DUPLICATE_DECISION).moneyClass()).isEqualTo(MoneyClass.DOUBLE_CHARGED);
        assertThat(only(fs, FindingCode.DUPLICATE_DECISION).moneyAmount()).isEqualByComparingTo("11");
    }

    @Test
    void orphanAndChargedUnlinkedDecisionsAreChargedWithoutUsage() {
        Reconciler r = new Reconciler(REG, new Reconciler.Params(BigDecimal.ZERO, null));
        Finding orphan = r.orphan(decision("d1", Outcome.CHARGED, "4.20", T));
        assertThat(orphan.moneyClass()).isEqualTo(MoneyClass.CHARGED_WITHOUT_USAGE);
        assertThat(orphan.moneyAmount()).isEqualByComparingTo("4.20");
        assertThat(orphan.moneyEffect()).isEqualByComparingTo("-4.20");
        DecisionRecord unlinked = new DecisionRecord("d2", null, "c", "m", Outcome.CHARGED, new BigDecimal("3"), "EUR", "p", 1, null, null,
                null, null, T, null);
        assertThat(r.unlinked(unlinked).moneyAmount()).isEqualByComparingTo("3");
        DecisionRecord deniedUnlinked = new DecisionRecord("d3", null, "c", "m", Outcome.DENIED, BigDecimal.ZERO, "EUR", null, null, null,
                null, null, null, T, null);
        assertThat(r.unlinked(deniedUnlinked).moneyClass()).isNull();
    }

    @Test
    void whatIsBilledWithoutAnExpectationIsUnverified() {
        PolicyRegistry none = new PolicyRegistry(List.of(Policies.price("p", "other", null, Policies.unit("1"))));
        List<Finding> fs = check(none, event(none, "5", T), decision("d1", Outcome.CHARGED, "9.99", T));
        Finding f = only(fs, FindingCode.NO_POLICY);
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.UNVERIFIED);
        assertThat(f.moneyAmount()).isEqualByComparingTo("9.99");
        assertThat(f.moneyEffect()).isNull(); // the correct amount is unknown
        assertThat(f.currency()).isEqualTo("EUR");
    }

    @Test
    void aDecisionInAnotherCurrencyIsUnverifiedAndItsAmountFindingCarriesNoMoney() {
        DecisionRecord usd = new DecisionRecord("d1", "e1", "c", "m", Outcome.CHARGED, new BigDecimal("12"), "USD", "p", 1, null, null,
                "q", 1, T, "inv");
        List<Finding> fs = check(REG, event(REG, "5", T), usd);
        Finding cur = only(fs, FindingCode.CURRENCY_MISMATCH);
        assertThat(cur.moneyClass()).isEqualTo(MoneyClass.UNVERIFIED);
        assertThat(cur.moneyAmount()).isEqualByComparingTo("12");
        assertThat(only(fs, FindingCode.AMOUNT_MISMATCH).moneyClass()).isNull();
    }

    @Test
    void retroactiveIsAsCorrectedMinusAsKnownPositiveWhenTheCustomerOwesMore() {
        Instant recorded = T.plusSeconds(7 * 86_400);
        PolicyRegistry up = new PolicyRegistry(List.of(Policies.policy("p", PolicyKind.PRICE, "m", null,
                Policies.version("p", 1, Policies.JAN_2026, null, Policies.DEC_2025, Policies.unit("2.00")),
                Policies.version("p", 2, Policies.JAN_2026, null, recorded, Policies.unit("2.50")))));
        Finding f = only(check(up, event(up, "10", T), new DecisionRecord("d1", "e1", "c", "m", Outcome.CHARGED, new BigDecimal("20"), "EUR",
                "p", 1, null, null, null, null, T, "inv")), FindingCode.RETROACTIVE_CORRECTION);
        assertThat(f.moneyClass()).isEqualTo(MoneyClass.RETROACTIVE);
        assertThat(f.moneyAmount()).isEqualByComparingTo("5");  // 25.00 as corrected - 20.00 as known
        assertThat(f.moneyEffect()).isEqualByComparingTo("5");
        assertThat(f.difference()).isEqualByComparingTo("-5"); // the finding's difference stays actual (as known) - expected
        PolicyRegistry down = new PolicyRegistry(List.of(Policies.policy("p", PolicyKind.PRICE, "m", null,
                Policies.version("p", 1, Policies.JAN_2026, null, Policies.DEC_2025, Policies.unit("2.00")),
                Policies.version("p", 2, Policies.JAN_2026, null, recorded, Policies.unit("1.50")))));
        Finding g = only(check(down, event(down, "10", T)), FindingCode.RETROACTIVE_CORRECTION);
        assertThat(g.moneyAmount()).isEqualByComparingTo("-5");
    }

    @Test
    void findingsThatMoveNoMoneyHaveNoClass() {
        Reconciler r = new Reconciler(REG, new Reconciler.Params(BigDecimal.ZERO, java.time.Duration.ofMinutes(1)));
        List<Finding> out = new ArrayList<>();
        r.check(event(REG, "5", T), List.of(decision("d1", Outcome.CHARGED, "10", T.plusSeconds(3600))), out::add);
        assertThat(only(out, FindingCode.LATE_DECISION).moneyClass()).isNull();
    }

    @Test
    void toleranceOfTheMeterWinsOverTheCurrencysAndSeverityFollowsTheChecks() {
        Reconciler.Params p = new Reconciler.Params(BigDecimal.ZERO, null, Map.of("EUR", new BigDecimal("5")), Map.of("m", new BigDecimal("0.10")),
                Map.of(FindingCode.AMOUNT_MISMATCH, Severity.WARNING));
        List<Finding> out = new ArrayList<>();
        new Reconciler(REG, p).check(event(REG, "5", T), List.of(decision("d1", Outcome.CHARGED, "10.50", T)), out::add);
        assertThat(only(out, FindingCode.AMOUNT_MISMATCH).severity()).isEqualTo(Severity.WARNING);
        out.clear();
        new Reconciler(REG, p).check(event(REG, "5", T), List.of(decision("d1", Outcome.CHARGED, "10.08", T)), out::add);
        assertThat(out).isEmpty();
    }

    @Test
    void amountsPrintInTheCurrencysMinorUnitsWithTheCode() {
        assertThat(Money.format("USD", new BigDecimal("130.1700"))).isEqualTo("USD 130.17");
        assertThat(Money.format("JPY", new BigDecimal("1200.4"))).isEqualTo("JPY 1200");
        assertThat(Money.format("BHD", new BigDecimal("3.012"))).isEqualTo("BHD 3.012");
        assertThat(Money.formatSigned("USD", new BigDecimal("3"))).isEqualTo("USD +3.00");
    }
}
