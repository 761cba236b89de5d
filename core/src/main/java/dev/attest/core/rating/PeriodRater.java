package dev.attest.core.rating;

import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Resolution;
import dev.attest.core.policy.Rounding;
import dev.attest.core.policy.Rule;
import dev.attest.core.policy.VersionRef;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The billing-period fold of contracts sections 4, 9 and 10: rates one (customer, meter, billing period) partition in
 * both knowledge views. Pure and deterministic: the cut-off is passed in, never read from a clock.
 *
 * <p>Each view is its own fold with its own {@code before}: entitlements may differ between views, and so
 * may which events count. The two folds run in lockstep, and an event that both views see alike is
 * computed once.
 */
public final class PeriodRater {
    private final PolicyRegistry registry;
    private final Instant cutoff;

    private final boolean explain;
    private final BillingCycles cycles;

    public PeriodRater(PolicyRegistry registry, Instant cutoff) {
        this(registry, cutoff, true);
    }

    public PeriodRater(PolicyRegistry registry, Instant cutoff, boolean explain) {
        this(registry, cutoff, explain, BillingCycles.calendarMonths());
    }

    /**
     * @param explain whether expectations carry their {@link Expectation#computation()} text; without it the
     *                amounts are the same and rating is faster (the text is for the few events a finding shows)
     * @param cycles  each customer's billing cycle: what "the period" of a partition is (contracts section 10)
     */
    public PeriodRater(PolicyRegistry registry, Instant cutoff, boolean explain, BillingCycles cycles) {
        if (cycles == null) throw new IllegalArgumentException("the billing cycles are required (BillingCycles.calendarMonths() for v1)");
        this.cycles = cycles;
        this.explain = explain;
        if (registry == null) throw new IllegalArgumentException("registry is required");
        if (cutoff == null) throw new IllegalArgumentException("the knowledge cut-off is required");
        this.registry = registry;
        this.cutoff = cutoff;
    }

    /**
     * @param partition the events of one (customer, meter, billing period of the customer's cycle), sorted by (event_time, event_id),
     *                  without events of a DUPLICATE_EVENT_CONFLICT
     * @return one ExpectedEvent per input event, in input order
     */
    public List<ExpectedEvent> rate(List<RatingEvent> partition) {
        if (partition.isEmpty()) return List.of();
        return new Partition(partition, PeriodState.START).fold(null, null).expected();
    }

    /**
     * The incremental entry point of a live audit (issue 17): the fold of {@code partition} from {@code start}, with the
     * state after each event. A stream that learns of an event out of order re-folds only from the event's position,
     * starting from the state after its predecessor; the expectations are those of rating the period at once.
     */
    public Steps steps(List<RatingEvent> partition, PeriodState start) {
        return steps(partition, start, null);
    }

    /**
     * As above, for events in the middle of a period: {@code volumeTotal} is volume's period total T over the whole
     * period (the as-corrected quantity after its last event), which {@code partition} alone does not hold. A live audit
     * rates one event of a volume period again this way, instead of the whole period. Null: T from {@code start} and
     * {@code partition}, which then must run to the period's last event known.
     */
    public Steps steps(List<RatingEvent> partition, PeriodState start, BigDecimal volumeTotal) {
        if (start == null) throw new IllegalArgumentException("the start state is required (PeriodState.START for a new period)");
        if (partition.isEmpty()) return new Steps(List.of(), List.of());
        List<PeriodState> after = new ArrayList<>(partition.size());
        Partition p = new Partition(partition, start);
        p.volumeTotal = volumeTotal;
        Folded f = p.fold(null, after);
        return new Steps(f.expected(), after);
    }

    /** Expectations in input order, and the fold's state after each event (same index). */
    public record Steps(List<ExpectedEvent> expected, List<PeriodState> after) {
        public Steps {
            if (expected.size() != after.size()) throw new IllegalArgumentException("one state after each event");
            expected = List.copyOf(expected);
            after = List.copyOf(after);
        }
    }

    /**
     * A partition's fold continued from {@code start} (the state after the period's earlier events, which
     * {@code partition} does not hold), and the state just before the first event at or after {@code snapshotAt}
     * (after all of them when none is; null {@code snapshotAt}: after all). Rating the period's events in two parts
     * this way gives exactly the expectations of rating them at once.
     */
    public Folded rate(List<RatingEvent> partition, PeriodState start, Instant snapshotAt) {
        if (start == null) throw new IllegalArgumentException("the start state is required (PeriodState.START for a new period)");
        if (partition.isEmpty()) return new Folded(List.of(), start);
        return new Partition(partition, start).fold(snapshotAt, null);
    }

    /** A partition's expectations, in input order, and the fold's state at the snapshot instant. */
    public record Folded(List<ExpectedEvent> expected, PeriodState state) {}

    /** The billing period of the customer's cycle that holds {@code t}. */
    public BillingPeriod periodOf(String customerId, Instant t) {
        return cycles.of(customerId).periodOf(t);
    }

    public BillingCycles cycles() {
        return cycles;
    }

    /** One view's running state: its own {@code before}, and whether volume's flat fee is still due. */
    private static final class View {
        BigDecimal before;
        boolean volumeFeeDue;

        View(BigDecimal before, boolean volumeFeeDue) {
            this.before = before;
            this.volumeFeeDue = volumeFeeDue;
        }

        boolean sameAs(View o) {
            return volumeFeeDue == o.volumeFeeDue && before.compareTo(o.before) == 0;
        }
    }

    /** The state shared by both views of one partition. */
    private final class Partition {
        final List<RatingEvent> events;
        final PolicyRegistry.Resolver entitlements;
        final PolicyRegistry.Resolver discounts;
        final PolicyRegistry.Resolver prices;
        final boolean periodOpen;
        final RefCache refs = new RefCache();
        final Account why = explain ? new Account() : Account.silent();
        Rounding lastRounding;
        String lastRoundingText;
        BigDecimal volumeTotal; // lazily: only volume pricing needs it

        final PeriodState start;

        Partition(List<RatingEvent> events, PeriodState start) {
            this.events = events;
            this.start = start;
            RatingEvent first = events.get(0);
            BillingPeriod period = periodOf(first.customerId(), first.eventTime());
            checkPartition(events, period);
            entitlements = registry.resolver(PolicyKind.ENTITLEMENT, first.customerId(), first.meter());
            discounts = registry.resolver(PolicyKind.DISCOUNT, first.customerId(), first.meter());
            prices = registry.resolver(PolicyKind.PRICE, first.customerId(), first.meter());
            periodOpen = !period.closedAt(cutoff);
        }

        /**
         * Both views' folds in lockstep. Where an event resolves to the same versions in both views and both
         * folds are in the same state, the as-corrected expectation is the as-known one too: computed once,
         * shared. Resolved results are canonical instances, so comparing them is an identity check.
         */
        Folded fold(Instant snapshotAt, List<PeriodState> after) {
            View known = new View(start.knownBefore(), start.knownVolumeFeeDue());
            View corrected = new View(start.correctedBefore(), start.correctedVolumeFeeDue());
            List<ExpectedEvent> out = new ArrayList<>(events.size());
            PeriodState snapshot = null;
            for (RatingEvent e : events) {
                Instant t = e.eventTime();
                if (snapshot == null && snapshotAt != null && !t.isBefore(snapshotAt)) snapshot = state(known, corrected);
                Resolution entC = entitlements.resolve(t, cutoff);
                Resolution discC = discounts.resolve(t, cutoff);
                Resolution priceC = prices.resolve(t, cutoff);
                Expectation asCorrected, asKnown;
                Instant k = e.knownAt();
                if (k == null || k.equals(cutoff)) { // no decision: both views use the cut-off
                    boolean same = known.sameAs(corrected);
                    asCorrected = step(corrected, e, entC, discC, priceC);
                    asKnown = same ? share(asCorrected, known, corrected) : step(known, e, entC, discC, priceC);
                } else {
                    Resolution entK = entitlements.resolve(t, k);
                    Resolution discK = discounts.resolve(t, k);
                    Resolution priceK = prices.resolve(t, k);
                    boolean same = entK == entC && discK == discC && priceK == priceC && known.sameAs(corrected);
                    asCorrected = step(corrected, e, entC, discC, priceC);
                    asKnown = same ? share(asCorrected, known, corrected) : step(known, e, entK, discK, priceK);
                }
                out.add(new ExpectedEvent(e, asKnown, asCorrected));
                if (after != null) after.add(state(known, corrected));
            }
            return new Folded(out, snapshot != null ? snapshot : state(known, corrected));
        }

        private PeriodState state(View known, View corrected) {
            return new PeriodState(known.before, known.volumeFeeDue, corrected.before, corrected.volumeFeeDue);
        }

        /** The as-known view took the same step as the as-corrected one: same expectation, same state after. */
        private Expectation share(Expectation x, View known, View corrected) {
            known.before = corrected.before;
            known.volumeFeeDue = corrected.volumeFeeDue;
            return x;
        }

        /** One event in one view: check the entitlement, price it, and advance the view's fold. */
        private Expectation step(View v, RatingEvent e, Resolution ent, Resolution disc, Resolution price) {
            // An entitlement in conflict counts as allowed: we cannot claim the event was denied, and
            // leaving its quantity out would shift every later event's tiers.
            boolean counted = allowed(ent, v.before, e.quantity());
            boolean volume = price instanceof Resolution.Resolved r && r.version().rule() instanceof Rule.Volume;
            boolean feeHere = volume && counted && v.volumeFeeDue;
            Expectation x = expect(e, v.before, ent, disc, price, !counted, feeHere, why.reset());
            if (feeHere) v.volumeFeeDue = false; // the flat fee goes to the first allowed event volume prices
            if (counted) v.before = v.before.add(e.quantity());
            return x;
        }

        /**
         * Volume's period total T: the quantity of the period's allowed events. Contracts section 9 makes it
         * the same in both views; we take the as-corrected view's allowed set (what the books say now).
         */
        BigDecimal volumeTotal() {
            if (volumeTotal == null) {
                BigDecimal total = start.correctedBefore(); // the period's earlier events, as the start state has them
                for (RatingEvent e : events) {
                    Resolution ent = entitlements.resolve(e.eventTime(), cutoff);
                    if (allowed(ent, total, e.quantity())) total = total.add(e.quantity());
                }
                volumeTotal = total;
            }
            return volumeTotal;
        }

        /** One event in one view, given what resolved. */
        Expectation expect(RatingEvent e, BigDecimal before, Resolution ent, Resolution disc, Resolution price,
                           boolean denied, boolean volumeFee, Account why) {
            PolicyVersion priceV = price instanceof Resolution.Resolved r ? r.version() : null;
            PolicyVersion discV = disc instanceof Resolution.Resolved r ? r.version() : null;
            PolicyVersion entV = ent instanceof Resolution.Resolved r ? r.version() : null;
            String currency = price instanceof Resolution.Resolved r ? r.policy().currency() : null;
            VersionRef priceRef = refs.price(priceV), discRef = refs.discount(discV), entRef = refs.entitlement(entV);
            Rounding rounding = priceV == null ? null : priceV.roundingOrDefault();
            boolean provisional = periodOpen && !denied && priceV != null && priceV.rule() instanceof Rule.Volume;

            List<String> conflicting = conflicts(ent, price, disc);
            if (conflicting != null) {
                why.text("policy conflict: ").text(String.join(", ", conflicting));
                Outcome outcome = ent instanceof Resolution.Conflict ? null : denied ? Outcome.DENIED : Outcome.CHARGED;
                BigDecimal amount = outcome == Outcome.DENIED ? zero(rounding) : null;
                return new Expectation(outcome, amount, RatingStatus.POLICY_CONFLICT, priceRef, discRef, entRef, currency,
                        before, provisional, conflicting, why.toString());
            }
            RatingStatus priced = priceV == null ? RatingStatus.NO_POLICY : RatingStatus.RATED;
            if (denied) {
                Rule.Entitlement limit = (Rule.Entitlement) entV.rule();
                why.text("denied by entitlement ").ref(entRef).text(": ").number(before).text(" + ").number(e.quantity())
                        .text(" > limit ").number(limit.limit()).text(" -> 0");
                return new Expectation(Outcome.DENIED, zero(rounding), priced, priceRef, discRef, entRef, currency, before,
                        false, List.of(), why.toString());
            }
            if (priceV == null) {
                why.text("no price version applies");
                return new Expectation(Outcome.CHARGED, null, RatingStatus.NO_POLICY, null, discRef, entRef, null, before,
                        false, List.of(), why.toString());
            }
            why.text(priceV.rule().model()).text(" v").number(priceV.version()).text(": ");
            BigDecimal amount = price(priceV.rule(), e, before, volumeFee, why);
            if (amount == null)
                return new Expectation(Outcome.CHARGED, null, RatingStatus.NO_PRICE, priceRef, discRef, entRef, currency, before,
                        provisional, List.of(), why.toString());
            if (discV != null) {
                Rule.Discount d = (Rule.Discount) discV.rule();
                amount = PriceModels.discount(d, amount);
                why.text("; discount ").number(d.percentOff()).text("% -> ").number(amount);
            }
            BigDecimal rounded = rounding.apply(amount); // once, with the price version's rounding
            why.text(roundingText(rounding)).number(rounded);
            return new Expectation(Outcome.CHARGED, rounded, RatingStatus.RATED, priceRef, discRef, entRef, currency, before,
                    provisional, List.of(), why.toString());
        }

        /** "; round 2 half_even -> ", built once per rounding rule rather than per event. */
        String roundingText(Rounding r) {
            if (r != lastRounding) {
                lastRounding = r;
                lastRoundingText = "; round " + r.scale() + " " + r.wireMode() + " -> ";
            }
            return lastRoundingText;
        }

        /** The price model's amount before discount and rounding; null when the rule cannot price the event. */
        BigDecimal price(Rule rule, RatingEvent e, BigDecimal before, boolean volumeFee, Account why) {
            BigDecimal q = e.quantity();
            if (rule instanceof Rule.Unit u) return PriceModels.unit(u, q, why);
            if (rule instanceof Rule.Graduated g) return PriceModels.graduated(g.tiers(), before, q, why);
            if (rule instanceof Rule.Volume v) return PriceModels.volume(v.tiers(), volumeTotal(), q, volumeFee, why);
            if (rule instanceof Rule.Package pk) return PriceModels.pack(pk, before, q, why);
            if (rule instanceof Rule.Percentage pc) return PriceModels.percentage(pc, e.value(), why);
            if (rule instanceof Rule.Matrix m) return PriceModels.matrix(m, q, e.dimensions(), why);
            throw new IllegalStateException("a " + rule.model() + " rule cannot price an event");
        }
    }

    /** allowed iff before + quantity <= limit; no entitlement allows all; a conflicting one counts as allowed. */
    private static boolean allowed(Resolution ent, BigDecimal before, BigDecimal quantity) {
        if (!(ent instanceof Resolution.Resolved r)) return true;
        return before.add(quantity).compareTo(((Rule.Entitlement) r.version().rule()).limit()) <= 0;
    }

    /** A denied event's amount: zero at the price version's scale, or scale 0 without one. */
    private static BigDecimal zero(Rounding rounding) {
        return rounding == null ? BigDecimal.ZERO : BigDecimal.ZERO.setScale(rounding.scale());
    }

    /** The sorted policy ids of every kind in conflict, or null when none is. */
    private static List<String> conflicts(Resolution ent, Resolution price, Resolution disc) {
        if (!(ent instanceof Resolution.Conflict) && !(price instanceof Resolution.Conflict) && !(disc instanceof Resolution.Conflict))
            return null;
        List<String> ids = new ArrayList<>();
        for (Resolution r : Arrays.asList(ent, price, disc)) if (r instanceof Resolution.Conflict c) ids.addAll(c.policyIds());
        ids.sort(null);
        return ids;
    }

    private void checkPartition(List<RatingEvent> events, BillingPeriod period) {
        RatingEvent first = events.get(0);
        Instant start = period.start(), end = period.end();
        RatingEvent previous = null;
        for (RatingEvent e : events) {
            if (!e.customerId().equals(first.customerId()) || !e.meter().equals(first.meter()))
                throw new IllegalArgumentException("a partition holds one customer and meter: " + e.eventId() + " is "
                        + e.customerId() + "/" + e.meter() + ", not " + first.customerId() + "/" + first.meter());
            if (e.eventTime().isBefore(start) || !e.eventTime().isBefore(end))
                throw new IllegalArgumentException("event " + e.eventId() + " at " + e.eventTime() + " is outside billing period " + period + " [" + start + ", " + end + ") of customer "
                        + first.customerId() + " (" + period.cycle() + ")");
            if (previous != null) {
                int c = previous.eventTime().compareTo(e.eventTime());
                if (c > 0 || c == 0 && compareEventIds(previous.eventId(), e.eventId()) > 0)
                    throw new IllegalArgumentException("partition not sorted by (event_time, event_id) at event " + e.eventId());
            }
            previous = e;
        }
    }

    /**
     * The event_id order of a partition: by Unicode code point, which is how DuckDB sorts text (UTF-8 bytes).
     * String.compareTo orders UTF-16 units instead, which puts a character beyond U+FFFF before one in
     * U+E000..U+FFFF: the audit's correctly sorted partitions were then rejected and the run failed.
     */
    public static int compareEventIds(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i), y = b.codePointAt(j);
            if (x != y) return Integer.compare(x, y);
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** Consecutive events mostly share versions: reuse their VersionRef instead of one per event and view. */
    private static final class RefCache {
        private final PolicyVersion[] versions = new PolicyVersion[3];
        private final VersionRef[] refs = new VersionRef[3];

        VersionRef price(PolicyVersion v) { return ref(0, v); }
        VersionRef discount(PolicyVersion v) { return ref(1, v); }
        VersionRef entitlement(PolicyVersion v) { return ref(2, v); }

        private VersionRef ref(int slot, PolicyVersion v) {
            if (v == null) return null;
            if (versions[slot] != v) {
                versions[slot] = v;
                refs[slot] = v.ref();
            }
            return refs[slot];
        }
    }
}
