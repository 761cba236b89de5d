package dev.attest.core.findings;

import dev.attest.core.rating.Expectation;
import dev.attest.core.rating.Outcome;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Comparator;
import java.util.List;

/**
 * The money of one finding (issue 14), and the small named rules that decide it. {@code amount} is what the
 * finding adds to its class: a non-negative magnitude, except for RETROACTIVE (as-corrected minus as-known).
 * {@code effect} is correct minus billed: positive, the customer owes more; negative, the customer is owed;
 * null where the correct amount is unknown (UNVERIFIED). SQL only sums these; it never decides them.
 */
public record Money(MoneyClass moneyClass, BigDecimal amount, BigDecimal effect) {
    /** Money amounts are kept to the 9 decimals of the findings' DECIMAL(38,9) columns. */
    public static final int SCALE = 9;

    public Money {
        if (moneyClass == null || amount == null) throw new IllegalArgumentException("a money class needs an amount");
        if (moneyClass != MoneyClass.RETROACTIVE && amount.signum() < 0)
            throw new IllegalArgumentException(moneyClass.wire() + " is a magnitude, not " + amount.toPlainString());
        amount = scaled(amount);
        effect = effect == null ? null : scaled(effect);
    }

    private static BigDecimal scaled(BigDecimal x) {
        return x.scale() < SCALE ? x.setScale(SCALE) : x;
    }

    /** Money the customer was charged too much: correct is lower than billed. */
    static Money overcharged(BigDecimal magnitude) {
        return new Money(MoneyClass.OVERCHARGED, magnitude, magnitude.negate());
    }

    /** Money the customer was charged too little: correct is higher than billed. */
    static Money undercharged(BigDecimal magnitude) {
        return new Money(MoneyClass.UNDERCHARGED, magnitude, magnitude);
    }

    /**
     * AMOUNT_MISMATCH and ROUNDING_DIFFERENCE: {@code difference} is actual minus expected; above zero the
     * customer was overcharged by it, below zero undercharged.
     */
    public static Money ofAmountDifference(BigDecimal difference) {
        return difference == null ? null : ofEffect(difference.negate());
    }

    /** Over- or undercharged by an effect (correct minus billed): below zero overcharged, above zero undercharged. */
    static Money ofEffect(BigDecimal effect) {
        if (effect.signum() == 0) return null;
        return effect.signum() < 0 ? overcharged(effect.negate()) : undercharged(effect);
    }

    /**
     * OUTCOME_MISMATCH: charged where denied was expected is overcharged by the amount charged; denied where a
     * charge was expected is undercharged by the expected amount (none when no amount could be expected).
     */
    public static Money ofOutcomeMismatch(Outcome expected, BigDecimal expectedAmount, Outcome actual, BigDecimal chargedAmount) {
        // correct minus billed: nothing was due but the amount was charged; the expected amount was due but nothing was charged.
        if (expected == Outcome.DENIED && actual == Outcome.CHARGED) return chargedAmount == null ? null : ofEffect(chargedAmount.negate());
        if (expected == Outcome.CHARGED && actual == Outcome.DENIED) return expectedAmount == null ? null : ofEffect(expectedAmount);
        return null;
    }

    /** MISSING_DECISION: the as-known expected amount, when the event should have been charged. */
    public static Money ofMissingDecision(Expectation asKnown) {
        if (asKnown == null || !asKnown.hasAmount() || asKnown.outcome() != Outcome.CHARGED) return null;
        BigDecimal owed = asKnown.amount().max(BigDecimal.ZERO);
        return new Money(MoneyClass.UNBILLED, owed, owed);
    }

    /**
     * DUPLICATE_DECISION: the earliest decided decision (ties: lowest decision_id) is the charge; every other
     * charged decision's amount is double-charged.
     */
    public static Money ofDuplicates(List<DecisionRecord> decisions) {
        BigDecimal extra = BigDecimal.ZERO;
        for (DecisionRecord d : duplicatesOf(decisions)) if (d.outcome() == Outcome.CHARGED) extra = extra.add(d.amount().max(BigDecimal.ZERO));
        return new Money(MoneyClass.DOUBLE_CHARGED, extra, extra.negate());
    }

    /** The order in which an event's decisions count: earliest decided_at first, ties by the lowest decision_id. */
    public static final Comparator<DecisionRecord> CHARGE_ORDER =
            Comparator.comparing(DecisionRecord::decidedAt).thenComparing(DecisionRecord::decisionId);

    /** The decision that is the charge of an event: the first in {@link #CHARGE_ORDER}, or null without decisions. */
    public static DecisionRecord chargeOf(List<DecisionRecord> decisions) {
        // Nearly every event has one decision: no stream for it (the full audit's fold calls this once per event).
        if (decisions.size() <= 1) return decisions.isEmpty() ? null : decisions.get(0);
        return decisions.stream().min(CHARGE_ORDER).orElseThrow();
    }

    /** Every decision of an event but its charge, in {@link #CHARGE_ORDER}. */
    public static List<DecisionRecord> duplicatesOf(List<DecisionRecord> decisions) {
        return decisions.stream().sorted(CHARGE_ORDER).skip(1).toList();
    }

    /** ORPHAN_DECISION (any outcome) and charged UNLINKED_DECISION: the decision's amount, billed without usage. */
    public static Money ofChargeWithoutUsage(DecisionRecord d, boolean orphan) {
        if (!orphan && d.outcome() != Outcome.CHARGED) return null;
        BigDecimal billed = d.amount().max(BigDecimal.ZERO);
        return new Money(MoneyClass.CHARGED_WITHOUT_USAGE, billed, billed.negate());
    }

    /**
     * CURRENCY_MISMATCH, NO_POLICY, NO_PRICE, POLICY_CONFLICT: the amount billed, which nothing could verify; the
     * correct amount is unknown, so the effect is null. Nothing billed (denied, or no decision): no money.
     */
    public static Money ofUnverified(DecisionRecord charge) {
        if (charge == null || charge.outcome() != Outcome.CHARGED) return null;
        return new Money(MoneyClass.UNVERIFIED, charge.amount().abs(), null);
    }

    /** RETROACTIVE_CORRECTION: as-corrected minus as-known (positive: the customer owes more after the correction). */
    public static Money ofRetroactive(BigDecimal asKnown, BigDecimal asCorrected) {
        BigDecimal delta = asCorrected.subtract(asKnown);
        return new Money(MoneyClass.RETROACTIVE, delta, delta);
    }

    /** {@code USD 130.17}: an amount in the currency's minor units (half-even), with the code. */
    public static String format(String currency, BigDecimal amount) {
        String code = currency == null ? "?" : currency;
        if (amount == null) return code + " ?";
        return code + " " + amount.setScale(MinorUnits.decimals(currency), RoundingMode.HALF_EVEN).toPlainString();
    }

    /** {@code USD +130.17} / {@code USD -3.01}: a signed amount in minor units, for retroactive and effects. */
    public static String formatSigned(String currency, BigDecimal amount) {
        String s = format(currency, amount);
        return amount != null && amount.signum() > 0 ? s.replaceFirst(" ", " +") : s;
    }
}
