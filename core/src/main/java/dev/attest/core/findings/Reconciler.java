package dev.attest.core.findings;

import dev.attest.core.Durations;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Rule;
import dev.attest.core.policy.VersionRef;
import dev.attest.core.rating.Expectation;
import dev.attest.core.rating.ExpectedEvent;
import dev.attest.core.rating.RatingEvent;
import dev.attest.core.rating.RatingStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The finding rules of contracts sections 5 and 9, as small named checks. Pure: it reads the registry and
 * its parameters, and writes findings to a sink. Callers decide which events and decisions are in the window.
 */
public final class Reconciler {

    /**
     * @param tolerance  amounts differing by more than half a minor unit but no more than this are accepted
     * @param lateAfter  LATE_DECISION limit; null = no limit (the default, section 9)
     */
    /**
     * @param tolerancePerCurrency tolerance by currency code (upper case), from a checks file
     * @param tolerancePerMeter    tolerance by meter, from a checks file; it wins over the currency's
     * @param severities           severity by code, from a checks file; codes not named keep their default
     */
    public record Params(BigDecimal tolerance, Duration lateAfter, Map<String, BigDecimal> tolerancePerCurrency,
                         Map<String, BigDecimal> tolerancePerMeter, Map<FindingCode, Severity> severities) {
        public Params {
            if (tolerance == null) tolerance = BigDecimal.ZERO;
            if (tolerance.signum() < 0) throw new IllegalArgumentException("tolerance must be >= 0");
            if (lateAfter != null && lateAfter.isNegative()) throw new IllegalArgumentException("late-after must be >= 0");
            tolerancePerCurrency = tolerancePerCurrency == null ? Map.of() : Map.copyOf(tolerancePerCurrency);
            tolerancePerMeter = tolerancePerMeter == null ? Map.of() : Map.copyOf(tolerancePerMeter);
            severities = severities == null ? Map.of() : Map.copyOf(severities);
            for (BigDecimal t : tolerancePerCurrency.values()) if (t.signum() < 0) throw new IllegalArgumentException("tolerance must be >= 0");
            for (BigDecimal t : tolerancePerMeter.values()) if (t.signum() < 0) throw new IllegalArgumentException("tolerance must be >= 0");
        }

        public Params(BigDecimal tolerance, Duration lateAfter) {
            this(tolerance, lateAfter, Map.of(), Map.of(), Map.of());
        }

        /** The tolerance of an amount comparison: the meter's, else the currency's, else the default. */
        public BigDecimal toleranceFor(String meter, String currency) {
            BigDecimal t = meter == null ? null : tolerancePerMeter.get(meter);
            if (t == null && currency != null) t = tolerancePerCurrency.get(currency.toUpperCase(java.util.Locale.ROOT));
            return t == null ? tolerance : t;
        }

        public Severity severityOf(FindingCode code) {
            return severities.getOrDefault(code, code.severity());
        }
    }

    private final PolicyRegistry registry;
    private final Params params;

    public Reconciler(PolicyRegistry registry, Params params) {
        this.registry = Objects.requireNonNull(registry);
        this.params = Objects.requireNonNull(params);
    }

    // ---- event level: once per event of the window ----

    /**
     * Every check of one event of the window and its decisions, with money (issue 14). The charge is the earliest
     * decided decision (ties: lowest decision_id); the others are DUPLICATE_DECISION's double charge and are not
     * compared again for over- or undercharge (OUTCOME_MISMATCH, AMOUNT_MISMATCH, ROUNDING_DIFFERENCE), but still
     * checked for rule references, currency and lateness.
     */
    public void check(ExpectedEvent e, List<DecisionRecord> decisions, Consumer<Finding> sink) {
        Consumer<Finding> out = adjusted(sink);
        DecisionRecord charge = Money.chargeOf(decisions);
        if (decisions.isEmpty()) out.accept(missingDecision(e));
        if (decisions.size() > 1) out.accept(duplicateDecision(e, decisions));
        noExpectation(e).map(f -> unverified(f, charge)).ifPresent(out);
        retroactiveCorrection(e).ifPresent(out);
        List<DecisionRecord> inOrder = decisions.size() <= 1 ? decisions : decisions.stream().sorted(Money.CHARGE_ORDER).toList();
        for (DecisionRecord d : inOrder) checkDecision(e, d, d == charge, out);
    }

    /** MISSING_DECISION, DUPLICATE_DECISION, the as-known rating status, RETROACTIVE_CORRECTION (without decisions: no double charge). */
    public void checkEvent(ExpectedEvent e, int decisionCount, Consumer<Finding> sink) {
        Consumer<Finding> out = adjusted(sink);
        if (decisionCount == 0) out.accept(missingDecision(e));
        if (decisionCount > 1) out.accept(eventFinding(FindingCode.DUPLICATE_DECISION, e, null,
                "event " + e.event().eventId() + " has " + decisionCount + " decisions; exactly one is expected"));
        noExpectation(e).ifPresent(out);
        retroactiveCorrection(e).ifPresent(out);
    }

    /** A finding as the run's checks say: its code's severity (a checks file may change it). */
    private Consumer<Finding> adjusted(Consumer<Finding> out) {
        if (params.severities().isEmpty()) return out;
        return f -> out.accept(adjust(f));
    }

    private Finding adjust(Finding f) {
        Severity s = params.severityOf(f.code());
        return s == f.severity() ? f : f.withSeverity(s);
    }

    /** The amount billed for an event without an expectation is unverified money, in the currency it was billed in. */
    private static Finding unverified(Finding f, DecisionRecord charge) {
        Money m = Money.ofUnverified(charge);
        if (m == null) return f;
        Finding withMoney = f.withMoney(m).withInvoice(charge.invoiceId());
        return f.currency() == null ? withMoney.withCurrency(charge.currency()) : withMoney;
    }

    private Finding missingDecision(ExpectedEvent e) {
        Expectation k = e.asKnown();
        String expected = k.hasAmount() ? " (expected " + k.outcome().wire() + " " + money(k.amount(), k.currency()) + " " + k.currency()
                + provisional(k) + ")" : "";
        return eventFinding(FindingCode.MISSING_DECISION, e, null,
                "event " + e.event().eventId() + " has no decision" + expected).withMoney(Money.ofMissingDecision(k));
    }

    /** One finding per event; its money is every charged decision's amount but the charge's (the earliest decided). */
    private Finding duplicateDecision(ExpectedEvent e, List<DecisionRecord> decisions) {
        DecisionRecord charge = Money.chargeOf(decisions);
        List<DecisionRecord> extra = Money.duplicatesOf(decisions);
        Money m = Money.ofDuplicates(decisions);
        String currency = extra.stream().filter(d -> d.outcome() == dev.attest.core.rating.Outcome.CHARGED).map(DecisionRecord::currency)
                .filter(Objects::nonNull).findFirst().orElse(charge.currency());
        StringBuilder others = new StringBuilder();
        for (DecisionRecord d : extra) others.append(others.isEmpty() ? "" : ", ").append(d.decisionId());
        Finding f = eventFinding(FindingCode.DUPLICATE_DECISION, e, null,
                "event " + e.event().eventId() + " has " + decisions.size() + " decisions; exactly one is expected: " + charge.decisionId()
                        + " (decided first) is the charge, " + others + " charged " + money(m.amount(), currency) + " " + currency + " twice");
        return (f.currency() == null ? f.withCurrency(currency) : f).withMoney(m).withInvoice(charge.invoiceId());
    }

    /** NO_POLICY, NO_PRICE, POLICY_CONFLICT: once per event, from the as-known view (section 9). */
    private Optional<Finding> noExpectation(ExpectedEvent e) {
        Expectation k = e.asKnown();
        RatingEvent ev = e.event();
        return switch (k.status()) {
            case RATED -> Optional.empty();
            case NO_POLICY -> Optional.of(eventFinding(FindingCode.NO_POLICY, e, null,
                    "no price version of meter " + ev.meter() + " applies to customer " + ev.customerId() + " at " + ev.eventTime()
                            + " as known at " + knowledge(e)));
            case NO_PRICE -> Optional.of(eventFinding(FindingCode.NO_PRICE, e, null,
                    "price " + k.price() + " cannot price the event: " + whyNoPrice(k, ev)));
            case POLICY_CONFLICT -> Optional.of(eventFinding(FindingCode.POLICY_CONFLICT, e, null,
                    "policies " + String.join(", ", k.conflicting()) + " all apply to the event; none is chosen"));
        };
    }

    /** Why a price version that applies has no price for the event (contracts section 4: matrix, percentage). */
    private String whyNoPrice(Expectation k, RatingEvent ev) {
        if (k.computation() != null) return k.computation();
        Rule rule = k.price() == null ? null : registry.find(k.price().policyId(), k.price().version()).map(PolicyVersion::rule).orElse(null);
        if (rule instanceof Rule.Matrix) return "no matrix entry matches its dimensions " + new java.util.TreeMap<>(ev.dimensions())
                + " and the rule has no default_unit_price";
        if (rule instanceof Rule.Percentage) return "a percentage price needs the event's value, and it has none";
        return "no price";
    }

    /** A correction recorded after the decision changes what the books should say: a backfill candidate. */
    private Optional<Finding> retroactiveCorrection(ExpectedEvent e) {
        Expectation k = e.asKnown();
        Expectation c = e.asCorrected();
        if (!k.hasAmount() || !c.hasAmount()) return Optional.empty();
        if (k.amount().compareTo(c.amount()) == 0 && k.outcome() == c.outcome()) return Optional.empty();
        // Expected is the as-corrected amount, actual the as-known one (what the books say): difference is actual -
        // expected as in every finding, so positive means the books charged more than the correction says.
        BigDecimal diff = k.amount().subtract(c.amount());
        return Optional.of(new Finding(FindingCode.RETROACTIVE_CORRECTION, null, e.event().eventId(), null,
                e.event().customerId(), e.event().meter(), e.event().eventTime(), e.event().knownAt(), c.amount(), k.amount(),
                outcome(c), outcome(k), diff, c.currency(), text(k.price()), text(c.price()), null,
                "as corrected the event is " + outcome(c) + " " + money(c.amount(), c.currency()) + " under " + text(c.price())
                        + "; as known at decision time it was " + outcome(k) + " " + money(k.amount(), k.currency()) + " under "
                        + text(k.price())).withMoney(Money.ofRetroactive(k.amount(), c.amount())));
    }

    // ---- decision level: every decision of an event, checked against the event's expectation ----

    public void checkDecision(ExpectedEvent e, DecisionRecord d, Consumer<Finding> out) {
        checkDecision(e, d, true, adjusted(out));
    }

    /**
     * @param charge false for a duplicate decision beyond the charge: contracts section 9 still checks it against the same
     *               expectation (its OUTCOME_MISMATCH or AMOUNT_MISMATCH is reported), but its money is the event's
     *               double charge, so those rows move none (no over- or undercharge counted twice)
     */
    private void checkDecision(ExpectedEvent e, DecisionRecord d, boolean charge, Consumer<Finding> out) {
        ruleReference(e, d).ifPresent(out);
        Optional<Finding> currency = currency(e, d);
        currency.map(f -> f.withMoney(Money.ofUnverified(d))).ifPresent(out);
        // Amounts in another currency than the expectation's are no over- or undercharge: the CURRENCY_MISMATCH
        // row carries the billed amount as unverified, so the amount findings carry no money of their own.
        outcomeOrAmount(e, d).map(f -> currency.isPresent() || !charge ? f.withMoney(null) : f).ifPresent(out);
        late(e.event().eventTime(), e, d).ifPresent(out);
    }

    /** Only the first that applies of MISSING_RULE_REF, UNKNOWN_POLICY_VERSION, NOT_YET_RECORDED, WRONG_VERSION. */
    Optional<Finding> ruleReference(ExpectedEvent e, DecisionRecord d) {
        if (d.outcome() == dev.attest.core.rating.Outcome.CHARGED && !d.hasPriceRef())
            return Optional.of(decisionFinding(FindingCode.MISSING_RULE_REF, e, d,
                    "charged decision " + d.decisionId() + " names no price " + (d.pricePolicyId() == null ? "policy" : "version")));
        String[] kinds = {"price", "discount", "entitlement"};
        String[] ids = {d.pricePolicyId(), d.discountPolicyId(), d.entitlementPolicyId()};
        Integer[] versions = {d.priceVersion(), d.discountVersion(), d.entitlementVersion()};
        PolicyVersion[] applied = new PolicyVersion[3];
        for (int i = 0; i < 3; i++) {
            if (ids[i] == null && versions[i] == null) continue;
            Optional<PolicyVersion> v = ids[i] == null || versions[i] == null ? Optional.empty() : registry.find(ids[i], versions[i]);
            if (v.isEmpty())
                return Optional.of(decisionFinding(FindingCode.UNKNOWN_POLICY_VERSION, e, d,
                        "decision " + d.decisionId() + " applied " + kinds[i] + " " + (ids[i] == null ? "?" : ids[i]) + "@v"
                                + (versions[i] == null ? "?" : versions[i]) + ", which is not in the policy registry"));
            applied[i] = v.get();
        }
        for (int i = 0; i < 3; i++) {
            if (applied[i] != null && applied[i].recordedAt().isAfter(d.decidedAt()))
                return Optional.of(decisionFinding(FindingCode.NOT_YET_RECORDED, e, d,
                        "decision " + d.decisionId() + " at " + d.decidedAt() + " applied " + kinds[i] + " " + applied[i].ref()
                                + ", recorded only at " + applied[i].recordedAt()));
        }
        Expectation k = e.asKnown();
        // Without a complete expectation (NO_POLICY, NO_PRICE, a conflict) there is no version to call wrong:
        // those findings say why.
        if (k.status() != RatingStatus.RATED || k.price() == null) return Optional.empty();
        VersionRef[] expected = {k.price(), k.discount(), k.entitlement()};
        for (int i = 0; i < 3; i++) {
            if (applied[i] == null) continue;
            if (!applied[i].ref().equals(expected[i]))
                return Optional.of(decisionFinding(FindingCode.WRONG_VERSION, e, d,
                        "decision " + d.decisionId() + " applied " + kinds[i] + " " + applied[i].ref() + " but " + text(expected[i])
                                + " applied to the event at " + e.event().eventTime() + " as known at " + d.decidedAt()));
        }
        return Optional.empty();
    }

    /** The decision's currency against that of the price policy expected as-known. */
    Optional<Finding> currency(ExpectedEvent e, DecisionRecord d) {
        String expected = e.asKnown().currency();
        if (expected == null || d.currency() == null || expected.equalsIgnoreCase(d.currency())) return Optional.empty();
        return Optional.of(decisionFinding(FindingCode.CURRENCY_MISMATCH, e, d,
                "decision " + d.decisionId() + " is in " + d.currency() + " but price " + e.asKnown().price() + " is in " + expected));
    }

    /** OUTCOME_MISMATCH first; amounts are compared only when outcomes agree and an amount is expected. */
    Optional<Finding> outcomeOrAmount(ExpectedEvent e, DecisionRecord d) {
        Expectation k = e.asKnown();
        if (k.outcome() != null && k.outcome() != d.outcome()) {
            // Expected amount: 0 when denied, the as-known amount when charged (if one could be formed).
            BigDecimal expectedAmount = k.outcome() == dev.attest.core.rating.Outcome.DENIED ? BigDecimal.ZERO : (k.hasAmount() ? k.amount() : null);
            BigDecimal diff = expectedAmount == null ? null : d.amount().subtract(expectedAmount);
            return Optional.of(amountFinding(FindingCode.OUTCOME_MISMATCH, e, d, diff,
                    "decision " + d.decisionId() + " " + d.outcome().wire() + " the event but " + k.outcome().wire() + " was expected"
                            + (k.entitlement() == null ? " (no entitlement applies)" : " under " + k.entitlement() + " with "
                            + plain(k.before()) + " already used"))
                    .withMoney(Money.ofOutcomeMismatch(k.outcome(), expectedAmount, d.outcome(), d.amount())));
        }
        if (!k.hasAmount()) return Optional.empty();
        BigDecimal diff = d.amount().subtract(k.amount());
        BigDecimal abs = diff.abs();
        if (abs.signum() == 0) return Optional.empty();
        if (abs.compareTo(MinorUnits.half(d.currency())) <= 0)
            return Optional.of(amountFinding(FindingCode.ROUNDING_DIFFERENCE, e, d, diff,
                    "decision " + d.decisionId() + " charged " + money(d.amount(), d.currency()) + ", expected " + money(k.amount(), d.currency())
                            + ": a rounding difference of " + plain(diff) + " (within half a minor unit of " + d.currency() + ")"
                            + provisional(k)).withMoney(Money.ofAmountDifference(diff)));
        if (abs.compareTo(params.toleranceFor(d.meter() != null ? d.meter() : e.event().meter(), d.currency())) > 0)
            return Optional.of(amountFinding(FindingCode.AMOUNT_MISMATCH, e, d, diff,
                    "decision " + d.decisionId() + " charged " + money(d.amount(), d.currency()) + " " + d.currency() + " but " + text(k.price())
                            + " gives " + money(k.amount(), d.currency()) + ": " + (diff.signum() > 0 ? "over" : "under") + "charged by "
                            + money(abs, d.currency()) + (k.computation() == null ? "" : " (" + k.computation() + ")") + provisional(k))
                    .withMoney(Money.ofAmountDifference(diff)));
        return Optional.empty();
    }

    private Optional<Finding> late(Instant eventTime, ExpectedEvent e, DecisionRecord d) {
        if (params.lateAfter() == null || eventTime == null) return Optional.empty();
        Duration lag = Duration.between(eventTime, d.decidedAt());
        if (lag.compareTo(params.lateAfter()) <= 0) return Optional.empty();
        return Optional.of(decisionFinding(FindingCode.LATE_DECISION, e, d,
                "decision " + d.decisionId() + " came " + Durations.human(lag) + " after the event; the limit is "
                        + Durations.human(params.lateAfter())));
    }

    // ---- decisions without an event, and conflicting events ----

    public Finding orphan(DecisionRecord d) {
        return adjust(linkFinding(FindingCode.ORPHAN_DECISION, d, "decision " + d.decisionId() + " names event " + d.eventId()
                + ", which does not exist").withMoney(Money.ofChargeWithoutUsage(d, true)));
    }

    /** Orphan whose event_id exists only among quarantined rows: still broken, but say why. */
    public Finding orphanOfQuarantined(DecisionRecord d) {
        return adjust(linkFinding(FindingCode.ORPHAN_DECISION, d, "decision " + d.decisionId() + " names event " + d.eventId()
                + ", which exists only in quarantined (invalid) event rows").withMoney(Money.ofChargeWithoutUsage(d, true)));
    }

    public Finding unlinked(DecisionRecord d) {
        return adjust(linkFinding(FindingCode.UNLINKED_DECISION, d, "decision " + d.decisionId() + " names no event")
                .withMoney(Money.ofChargeWithoutUsage(d, false)));
    }

    public Finding duplicateEventConflict(String eventId, String customerId, String meter, Instant eventTime, int variants, int rows) {
        return adjust(new Finding(FindingCode.DUPLICATE_EVENT_CONFLICT, null, eventId, null, customerId, meter, eventTime, null, null, null,
                null, null, null, null, null, null, null,
                "event " + eventId + " was delivered " + rows + " times with " + variants + " different contents; it is not rated"));
    }

    // ---- finding construction ----

    private Finding linkFinding(FindingCode code, DecisionRecord d, String why) {
        return new Finding(code, null, d.eventId(), d.decisionId(), d.customerId(), d.meter(), null, d.decidedAt(), null, d.amount(),
                null, d.outcome().wire(), null, d.currency(), null, null, d.appliedPriceText(), why, null, null, null, d.invoiceId());
    }

    private Finding eventFinding(FindingCode code, ExpectedEvent e, BigDecimal diff, String why) {
        Expectation k = e.asKnown();
        return new Finding(code, null, e.event().eventId(), null, e.event().customerId(), e.event().meter(), e.event().eventTime(),
                e.event().knownAt(), k.amount(), null, outcome(k), null, diff, k.currency(), text(k.price()),
                text(e.asCorrected().price()), null, why);
    }

    private Finding decisionFinding(FindingCode code, ExpectedEvent e, DecisionRecord d, String why) {
        return amountFinding(code, e, d, null, why);
    }

    private Finding amountFinding(FindingCode code, ExpectedEvent e, DecisionRecord d, BigDecimal diff, String why) {
        Expectation k = e.asKnown();
        return new Finding(code, null, e.event().eventId(), d.decisionId(), e.event().customerId(), e.event().meter(),
                e.event().eventTime(), d.decidedAt(), k.amount(), d.amount(), outcome(k), d.outcome().wire(), diff, d.currency(),
                text(k.price()), text(e.asCorrected().price()), d.appliedPriceText(), why, null, null, null, d.invoiceId());
    }

    /**
     * Contracts section 4: a volume amount of a period still open at the cut-off is provisional "and reported as
     * such", so a finding that quotes one says so (the period's total may still move it to another tier).
     */
    private static String provisional(Expectation x) {
        return x.provisional() ? "; provisional: volume pricing of a billing period still open at the cut-off" : "";
    }

    private static String knowledge(ExpectedEvent e) {
        return e.event().knownAt() == null ? "the run's cut-off" : e.event().knownAt().toString();
    }

    private static String outcome(Expectation x) {
        return x.outcome() == null ? null : x.outcome().wire();
    }

    private static String text(VersionRef ref) {
        return ref == null ? null : ref.toString();
    }

    /** An amount as people read it: at least the currency's minor digits (0.10, not 0.1), no trailing noise. */
    static String money(BigDecimal x, String currency) {
        if (x == null) return "?";
        BigDecimal s = x.stripTrailingZeros();
        int minor = MinorUnits.decimals(currency);
        return (s.scale() < minor ? s.setScale(minor) : s).toPlainString();
    }

    static String plain(BigDecimal x) {
        return x == null ? "?" : x.stripTrailingZeros().toPlainString();
    }
}
