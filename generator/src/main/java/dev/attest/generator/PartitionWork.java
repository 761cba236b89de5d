package dev.attest.generator;

import dev.attest.core.findings.FindingCode;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Rule;
import dev.attest.core.policy.VersionRef;
import dev.attest.core.rating.Expectation;
import dev.attest.core.rating.ExpectedEvent;
import dev.attest.core.rating.Outcome;
import dev.attest.core.rating.PeriodRater;
import dev.attest.core.rating.RatingEvent;
import dev.attest.core.rating.RatingStatus;
import dev.attest.generator.PartitionOutput.DecisionRow;
import dev.attest.generator.PartitionOutput.EventRow;
import dev.attest.generator.PartitionOutput.TruthFault;
import dev.attest.generator.PartitionOutput.TruthFinding;
import dev.attest.generator.Scenario.FaultInstance;
import dev.attest.generator.Scenario.PartitionSpec;
import dev.attest.generator.Scenario.Role;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Makes one (customer, meter, billing period of the customer's cycle) partition: its events, the live decisions (the
 * correct as-known amounts from the core {@link PeriodRater} with the scenario's billing cycles, then the faults), and
 * the findings an audit with those cycles (its customers input) must report.
 * Stateless apart from the scenario: partitions run on any thread in any order and give the same rows.
 */
final class PartitionWork {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;
    private static final BigDecimal ONE_DOLLAR = new BigDecimal("1.00");
    private static final BigDecimal LESS_THAN_HALF_A_CENT = new BigDecimal("0.004");
    private static final BigDecimal ZERO_CENTS = new BigDecimal("0.00");
    /** Requests per hour of day (UTC): a working-day curve. */
    private static final double[] HOURLY = {2, 1.5, 1.2, 1, 1, 1.2, 1.8, 2.5, 3.5, 4.2, 4.6, 4.8, 4.8, 4.9, 5, 4.9, 4.6, 4.2, 3.8, 3.4, 3, 2.7, 2.4, 2.2};
    private static final double[] HOURLY_CUMULATIVE = cumulative(HOURLY);

    /** Matrix dimensions: region x tier, and one region no price entry knows. */
    private static final String[] REGIONS = {"us", "eu", "apac"};
    private static final String[] TIERS = {"standard", "premium"};
    private static final int UNPRICED_DIMS = 6;
    private static final String[] DIMS_JSON = new String[7];
    private static final List<Map<String, String>> DIMS_MAP;

    static {
        List<Map<String, String>> maps = new ArrayList<>();
        for (int r = 0; r < 3; r++)
            for (int t = 0; t < 2; t++) {
                DIMS_JSON[r * 2 + t] = "{\"region\":\"" + REGIONS[r] + "\",\"tier\":\"" + TIERS[t] + "\"}";
                maps.add(Map.of("region", REGIONS[r], "tier", TIERS[t]));
            }
        DIMS_JSON[UNPRICED_DIMS] = "{\"region\":\"sa\",\"tier\":\"standard\"}";
        maps.add(Map.of("region", "sa", "tier", "standard"));
        DIMS_MAP = List.copyOf(maps);
    }

    private final Scenario scenario;
    private final PeriodRater rater;

    PartitionWork(Scenario scenario) {
        this.scenario = scenario;
        this.rater = new PeriodRater(scenario.registry, Scenario.AS_OF, true, scenario.cycles);
    }

    PartitionOutput run(PartitionSpec p) {
        return new One(p).run();
    }

    /** The working state of one partition. */
    private final class One {
        final PartitionSpec p;
        final String customer;
        final String meter;
        final String invoice;
        final SplittableRandom rng;
        final int n;
        // per event, in generation order until sorted
        long[] time;
        BigDecimal[] quantity;
        BigDecimal[] value;
        int[] dims;
        FaultInstance[] fault;
        // after sorting
        String[] ids;
        long[] ingested;
        long[] decided;
        final List<EventRow> eventRows;
        final List<DecisionRow> decisionRows;
        final List<TruthFinding> findings = new ArrayList<>();
        final List<TruthFault> faults = new ArrayList<>();

        One(PartitionSpec p) {
            this.p = p;
            this.customer = p.customer.id();
            this.meter = p.meter.id;
            this.invoice = "inv-" + p.periodText() + "-" + customer; // one invoice per customer and billing period
            this.rng = Rand.stream(scenario.seed, 10, p.index);
            this.n = p.count();
            this.eventRows = new ArrayList<>(n + 4);
            this.decisionRows = new ArrayList<>(n + 4);
        }

        PartitionOutput run() {
            generate();
            placeFaults();
            sortAndName();
            times();
            ExpectedEvent[] rated = new ExpectedEvent[n];
            Expectation[] known = new Expectation[n];
            rate(rated, known);
            placeDeferredFaults(known);
            emit(rated, known);
            return new PartitionOutput(customer, meter, eventRows, decisionRows, findings, faults);
        }

        // ---- events ----

        void generate() {
            time = new long[n];
            quantity = new BigDecimal[n];
            value = new BigDecimal[n];
            dims = new int[n];
            fault = new FaultInstance[n];
            Arrays.fill(dims, -1);
            // A period starts at local midnight of its zone and may be clipped by the data's range: draw a UTC day among
            // those it touches and a time of day from the curve, and draw again when that falls outside the partition.
            long start = p.startMs(), end = p.endMs();
            long day0 = Math.floorDiv(start, DAY) * DAY, days = (end - 1 - day0) / DAY + 1;
            for (int i = 0; i < n; i++) {
                long t;
                do t = day0 + rng.nextLong(days) * DAY + hourOfDay() * HOUR + rng.nextLong(HOUR);
                while (t < start || t >= end);
                time[i] = t;
                draw(i);
            }
            if (p.role == Role.CONFLICT) {
                long lo = Scenario.PROMO_FROM.toEpochMilli(), hi = Scenario.PROMO_TO.toEpochMilli(), span = hi - lo;
                for (int i = 0; i < p.regular; i++) // out of the promo's days, staying in the period
                    if (time[i] >= lo && time[i] < hi) time[i] += time[i] + span < end ? span : -span;
                for (int i = p.regular; i < n; i++) {
                    time[i] = lo + HOUR + rng.nextLong(hi - lo - 2 * HOUR);
                    fault[i] = new FaultInstance(FaultKind.POLICY_CONFLICT, -1, 0, lo, hi);
                }
            } else if (p.role == Role.GPU) {
                long lo = Math.max(Scenario.SAFE_LO, start), hi = Math.min(Scenario.SAFE_HI, p.endMs());
                for (int i = 0; i < n; i++) {
                    time[i] = lo + rng.nextLong(hi - lo);
                    fault[i] = new FaultInstance(FaultKind.NO_POLICY, -1, 0, lo, hi);
                }
            }
        }

        int hourOfDay() {
            double x = rng.nextDouble() * HOURLY_CUMULATIVE[23];
            for (int h = 0; h < 24; h++) if (x < HOURLY_CUMULATIVE[h]) return h;
            return 23;
        }

        void draw(int i) {
            switch (p.meter) {
                case API_CALLS -> quantity[i] = BigDecimal.valueOf(Math.round(Rand.logUniform(rng, 100, 50_000)));
                case COMPUTE_SECONDS -> quantity[i] = decimal(Rand.logUniform(rng, 1, 3_600), 3);
                case STORAGE_GB -> quantity[i] = decimal(Rand.logUniform(rng, 1, 2_000), 3);
                case SMS -> quantity[i] = BigDecimal.valueOf(1 + rng.nextInt(60));
                case PAYMENTS -> {
                    quantity[i] = BigDecimal.ONE;
                    value[i] = decimal(Rand.logUniform(rng, 1, 5_000), 2);
                }
                case EGRESS_GB -> {
                    quantity[i] = decimal(Math.max(0.01, Rand.logUniform(rng, 0.01, 500)), 3);
                    double r = rng.nextDouble();
                    int region = r < 0.5 ? 0 : r < 0.8 ? 1 : 2;
                    dims[i] = region * 2 + (rng.nextDouble() < 0.25 ? 1 : 0);
                }
                case GPU_MINUTES -> quantity[i] = BigDecimal.valueOf(1 + rng.nextInt(240));
            }
        }

        /** Chooses each planned fault's event: an unused one in the fault's time range, or an unused one moved into it. */
        void placeFaults() {
            for (FaultInstance f : p.faults) {
                if (deferred(f)) continue;
                int chosen = -1, seen = 0;
                for (int i = 0; i < n; i++) {
                    if (fault[i] != null || time[i] < f.lo() || time[i] >= f.hi()) continue;
                    if (rng.nextInt(++seen) == 0) chosen = i; // reservoir sampling: uniform among the candidates
                }
                if (chosen < 0) {
                    chosen = unused();
                    if (chosen < 0) throw new IllegalStateException("partition " + p.index + " has no event left for " + f.kind());
                    time[chosen] = f.lo() + rng.nextLong(f.hi() - f.lo());
                }
                fault[chosen] = f;
                if (f.kind() == FaultKind.NO_PRICE) {
                    if (p.meter == Meter.EGRESS_GB) dims[chosen] = UNPRICED_DIMS;
                    else value[chosen] = null;
                }
            }
        }

        boolean deferred(FaultInstance f) {
            return f.kind() == FaultKind.OUTCOME_MISMATCH && f.variant() == 1;
        }

        int unused() {
            int free = 0;
            for (int i = 0; i < n; i++) if (fault[i] == null) free++;
            if (free == 0) return -1;
            int k = rng.nextInt(free);
            for (int i = 0; i < n; i++) if (fault[i] == null && k-- == 0) return i;
            return -1;
        }

        /** Orders by event time (ties keep generation order) and names events by rank: ids ascend with time. */
        void sortAndName() {
            long start = p.startMs();
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) keys[i] = (time[i] - start) << 31 | i;
            Arrays.sort(keys);
            long[] t2 = new long[n];
            BigDecimal[] q2 = new BigDecimal[n], v2 = new BigDecimal[n];
            int[] d2 = new int[n];
            FaultInstance[] f2 = new FaultInstance[n];
            ids = new String[n];
            for (int r = 0; r < n; r++) {
                int i = (int) (keys[r] & 0x7fffffffL);
                t2[r] = time[i];
                q2[r] = quantity[i];
                v2[r] = value[i];
                d2[r] = dims[i];
                f2[r] = fault[i];
                ids[r] = id("evt-", p.firstSeq + r, null);
            }
            time = t2;
            quantity = q2;
            value = v2;
            dims = d2;
            fault = f2;
        }

        /** Received a moment after the usage, decided a moment after that; late decisions hours after. */
        void times() {
            ingested = new long[n];
            decided = new long[n];
            for (int r = 0; r < n; r++) {
                ingested[r] = time[r] + 50 + rng.nextLong(2_950);
                decided[r] = ingested[r] + 20 + rng.nextLong(1_480);
                if (kind(r) == FaultKind.LATE_DECISION) decided[r] = time[r] + 2 * HOUR + rng.nextLong(7 * HOUR);
            }
        }

        FaultKind kind(int r) {
            return fault[r] == null ? null : fault[r].kind();
        }

        // ---- rating ----

        /** Rates the partition as the audit will see it: conflicting re-deliveries left out, knowledge = first decision. */
        void rate(ExpectedEvent[] rated, Expectation[] known) {
            List<RatingEvent> audited = new ArrayList<>(n);
            List<RatingEvent> live = null; // with the conflicting events, as the live system rated them
            int[] auditedRank = new int[n];
            for (int r = 0; r < n; r++) {
                FaultKind k = kind(r);
                RatingEvent e = event(r);
                if (k == FaultKind.DUPLICATE_EVENT_CONFLICT) {
                    if (live == null) live = new ArrayList<>(n);
                } else {
                    auditedRank[audited.size()] = r;
                    audited.add(e);
                }
            }
            List<ExpectedEvent> out = rater.rate(audited);
            for (int j = 0; j < out.size(); j++) {
                rated[auditedRank[j]] = out.get(j);
                known[auditedRank[j]] = out.get(j).asKnown();
            }
            if (live != null) {
                for (int r = 0; r < n; r++) live.add(event(r));
                List<ExpectedEvent> all = rater.rate(live);
                for (int r = 0; r < n; r++) if (kind(r) == FaultKind.DUPLICATE_EVENT_CONFLICT) known[r] = all.get(r).asKnown();
            }
        }

        RatingEvent event(int r) {
            FaultKind k = kind(r);
            Instant knownAt = k == FaultKind.MISSING_DECISION || k == FaultKind.UNLINKED_DECISION ? null : Instant.ofEpochMilli(decided[r]);
            return new RatingEvent(ids[r], customer, meter, quantity[r], Instant.ofEpochMilli(time[r]), knownAt, value[r],
                    dims[r] < 0 ? Map.of() : DIMS_MAP.get(dims[r]));
        }

        /** OUTCOME_MISMATCH in a trial partition: a denied event charged, or, when none was denied, an allowed one denied. */
        void placeDeferredFaults(Expectation[] known) {
            for (FaultInstance f : p.faults) {
                if (!deferred(f)) continue;
                int chosen = -1, seen = 0;
                for (int r = 0; r < n; r++)
                    if (fault[r] == null && known[r].outcome() == Outcome.DENIED && rng.nextInt(++seen) == 0) chosen = r;
                if (chosen < 0) {
                    int free = 0;
                    for (int r = 0; r < n; r++) if (fault[r] == null) free++;
                    if (free == 0) continue; // cannot place: not in the truth either
                    int k = rng.nextInt(free);
                    for (int r = 0; r < n && chosen < 0; r++) if (fault[r] == null && k-- == 0) chosen = r;
                }
                fault[chosen] = f;
            }
        }

        // ---- rows and truth ----

        void emit(ExpectedEvent[] rated, Expectation[] known) {
            List<EventRow> redelivered = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                EventRow row = new EventRow(ids[r], quantity[r], time[r], ingested[r], value[r], dims[r] < 0 ? null : DIMS_JSON[dims[r]]);
                eventRows.add(row);
                FaultKind k = kind(r);
                if (k == FaultKind.IDENTICAL_DUPLICATE_EVENT) redelivered.add(row);
                if (k == FaultKind.DUPLICATE_EVENT_CONFLICT) // a payment re-sent with another value, other usage with another quantity
                    redelivered.add(new EventRow(ids[r], value[r] == null ? changed(quantity[r]) : quantity[r], time[r],
                            ingested[r] + 3 * HOUR + rng.nextLong(HOUR), value[r] == null ? null : changed(value[r]), row.dimensions()));
                decide(r, known[r]);
                if (rated[r] != null) retroactive(r, rated[r]);
            }
            eventRows.addAll(redelivered); // re-deliveries arrive later
        }

        BigDecimal changed(BigDecimal x) {
            return x.scale() == 0 ? x.add(BigDecimal.valueOf(1 + rng.nextInt(9))) : x.multiply(BigDecimal.valueOf(2));
        }

        /** The decision the live system would have made: exactly the as-known expectation. */
        DecisionRow correct(int r, Expectation k) {
            VersionRef price = k.price(), discount = k.discount(), ent = k.entitlement();
            boolean charged = k.outcome() == Outcome.CHARGED;
            return new DecisionRow(id("dec-", p.firstSeq + r, null), ids[r], wire(k.outcome()), k.amount(), k.currency(),
                    price == null ? null : price.policyId(), price == null ? null : price.version(),
                    discount == null ? null : discount.policyId(), discount == null ? null : discount.version(),
                    ent == null ? null : ent.policyId(), ent == null ? null : ent.version(), decided[r], charged ? invoice() : null);
        }

        String invoice() {
            return invoice;
        }

        void decide(int r, Expectation k) {
            FaultInstance f = fault[r];
            FaultKind kind = f == null ? null : f.kind();
            String evt = ids[r];
            if (kind == null || kind == FaultKind.IDENTICAL_DUPLICATE_EVENT) {
                requireRated(r, k, false);
                decisionRows.add(correct(r, k));
                if (kind != null)
                    fault(kind, evt, null, "delivered twice with identical content: one event, counted once, no finding");
                return;
            }
            switch (kind) {
                case MISSING_DECISION -> {
                    requireRated(r, k, false);
                    fault(kind, evt, null, "the live system never decided this event (expected " + k.outcome().wire() + " "
                            + plain(k.amount()) + " " + k.currency() + ")", finding(FindingCode.MISSING_DECISION, evt, null));
                }
                case UNLINKED_DECISION -> {
                    requireRated(r, k, false);
                    DecisionRow d = correct(r, k).withEventId(null);
                    decisionRows.add(d);
                    fault(kind, evt, d.decisionId(), "decision " + d.decisionId() + " lost its event_id; so the event also has no decision",
                            finding(FindingCode.UNLINKED_DECISION, null, d.decisionId()), finding(FindingCode.MISSING_DECISION, evt, null));
                }
                case ORPHAN_DECISION -> {
                    requireRated(r, k, false);
                    decisionRows.add(correct(r, k));
                    long lost = scenario.events + f.ordinal() + 1;
                    String lostEvent = id("evt-", lost, null);
                    DecisionRow d = correct(r, k).withDecisionId(id("dec-", lost, null)).withEventId(lostEvent)
                            .withDecidedAt(decided[r] + 5_000 + rng.nextLong(55_000));
                    decisionRows.add(d);
                    fault(kind, lostEvent, d.decisionId(), "decision for event " + lostEvent + ", which never reached the events feed"
                            + " (a copy of " + evt + "'s usage)", finding(FindingCode.ORPHAN_DECISION, lostEvent, d.decisionId()));
                }
                case DUPLICATE_DECISION -> {
                    requireRated(r, k, false);
                    DecisionRow d = correct(r, k);
                    DecisionRow retry = d.withDecisionId(d.decisionId() + "-r").withDecidedAt(decided[r] + 1_000 + rng.nextLong(29_000));
                    decisionRows.add(d);
                    decisionRows.add(retry);
                    fault(kind, evt, retry.decisionId(), "a retry wrote a second decision " + retry.decisionId() + " with the same amount "
                            + plain(d.amount()) + " as " + d.decisionId(), finding(FindingCode.DUPLICATE_DECISION, evt, null));
                }
                case DUPLICATE_EVENT_CONFLICT -> {
                    requireRated(r, k, false);
                    DecisionRow d = correct(r, k);
                    decisionRows.add(d);
                    fault(kind, evt, d.decisionId(), "re-delivered with a different " + (value[r] == null ? "quantity" : "value")
                            + "; the event is not rated and its decision "
                            + d.decisionId() + " is not checked", finding(FindingCode.DUPLICATE_EVENT_CONFLICT, evt, null));
                }
                case AMOUNT_MISMATCH -> {
                    requireRated(r, k, true);
                    DecisionRow d = correct(r, k);
                    d = d.withAmount(d.amount().add(ONE_DOLLAR));
                    decisionRows.add(d);
                    fault(kind, evt, d.decisionId(), "charged " + plain(d.amount()) + " instead of " + plain(k.amount()) + " (1.00 too much)",
                            finding(FindingCode.AMOUNT_MISMATCH, evt, d.decisionId()));
                }
                case ROUNDING_DIFFERENCE -> {
                    requireRated(r, k, true);
                    DecisionRow d = correct(r, k);
                    d = d.withAmount(d.amount().add(LESS_THAN_HALF_A_CENT));
                    decisionRows.add(d);
                    fault(kind, evt, d.decisionId(), "charged " + plain(d.amount()) + " instead of " + plain(k.amount())
                            + ": 0.004 off, within half a cent", finding(FindingCode.ROUNDING_DIFFERENCE, evt, d.decisionId()));
                }
                case OUTCOME_MISMATCH -> {
                    requireRated(r, k, false);
                    DecisionRow d = correct(r, k);
                    String note;
                    if (k.outcome() == Outcome.CHARGED) {
                        d = d.withOutcome(Outcome.DENIED.wire(), ZERO_CENTS, null);
                        note = "denied although allowed (expected charged " + plain(k.amount()) + ")";
                    } else {
                        d = d.withOutcome(Outcome.CHARGED.wire(), unquotaed(r, k), invoice());
                        note = "charged " + plain(d.amount()) + " although " + k.entitlement() + " denies it (" + plain(k.before())
                                + " already used)";
                    }
                    decisionRows.add(d);
                    fault(kind, evt, d.decisionId(), note, finding(FindingCode.OUTCOME_MISMATCH, evt, d.decisionId()));
                }
                case WRONG_VERSION -> {
                    requireRated(r, k, false);
                    int expected = f.variant() == 0 ? 2 : 1, named = 3 - expected;
                    requirePrice(r, k, Scenario.API_PRICE, expected);
                    DecisionRow d = correct(r, k).withPrice(Scenario.API_PRICE, named);
                    decisionRows.add(d);
                    fault(kind, evt, d.decisionId(), "named " + Scenario.API_PRICE + "@v" + named + " but @v" + expected + " applied at "
                            + Instant.ofEpochMilli(time[r]) + (f.variant() == 0 ? " (the scheduled change applied late)"
                            : " (the scheduled change applied early)") + "; the amount is correct",
                            finding(FindingCode.WRONG_VERSION, evt, d.decisionId()));
                }
                case UNKNOWN_POLICY_VERSION -> {
                    requireRated(r, k, false);
                    DecisionRow d = correct(r, k).withPrice(k.price().policyId(), Scenario.UNKNOWN_VERSION);
                    decisionRows.add(d);
                    fault(kind, evt, d.decisionId(), "named " + k.price().policyId() + "@v" + Scenario.UNKNOWN_VERSION
                            + ", which does not exist; the amount is correct", finding(FindingCode.UNKNOWN_POLICY_VERSION, evt, d.decisionId()));
                }
                case NOT_YET_RECORDED -> {
                    requireRated(r, k, false);
                    requirePrice(r, k, Scenario.API_PRICE, 1);
                    if (!Instant.ofEpochMilli(decided[r]).isBefore(Scenario.API_V2_RECORDED))
                        throw new IllegalStateException("NOT_YET_RECORDED event " + evt + " decided after v2 was recorded");
                    DecisionRow d = correct(r, k).withPrice(Scenario.API_PRICE, 2);
                    decisionRows.add(d);
                    fault(kind, evt, d.decisionId(), "named " + Scenario.API_PRICE + "@v2, recorded only at " + Scenario.API_V2_RECORDED
                            + ", after the decision at " + Instant.ofEpochMilli(decided[r]) + "; the amount is correct",
                            finding(FindingCode.NOT_YET_RECORDED, evt, d.decisionId()));
                }
                case MISSING_RULE_REF -> {
                    requireRated(r, k, true);
                    DecisionRow d = correct(r, k).withPrice(null, null);
                    decisionRows.add(d);
                    fault(kind, evt, d.decisionId(), "charged without naming a price policy or version; the amount is correct",
                            finding(FindingCode.MISSING_RULE_REF, evt, d.decisionId()));
                }
                case CURRENCY_MISMATCH -> {
                    requireRated(r, k, false);
                    DecisionRow d = correct(r, k).withCurrency(Scenario.WRONG_CURRENCY);
                    decisionRows.add(d);
                    fault(kind, evt, d.decisionId(), "decided in " + Scenario.WRONG_CURRENCY + " but " + k.price() + " is in " + k.currency()
                            + " (same number " + plain(k.amount()) + ")", finding(FindingCode.CURRENCY_MISMATCH, evt, d.decisionId()));
                }
                case LATE_DECISION -> {
                    requireRated(r, k, false);
                    DecisionRow d = correct(r, k);
                    decisionRows.add(d);
                    Duration lag = Duration.ofMillis(decided[r] - time[r]);
                    fault(kind, evt, d.decisionId(), "decided " + lag + " after the event (limit " + Scenario.LATE_AFTER
                            + "); the amount is the one known at that time", finding(FindingCode.LATE_DECISION, evt, d.decisionId()));
                }
                case NO_POLICY -> {
                    if (k.status() != RatingStatus.NO_POLICY)
                        throw new IllegalStateException("NO_POLICY event " + evt + " rated " + k.status());
                    DecisionRow d = charged(r, Scenario.NO_POLICY_FALLBACK, 1,
                            Scenario.CENTS.apply(quantity[r].multiply(new BigDecimal("0.02"))), k);
                    decisionRows.add(d);
                    fault(kind, evt, d.decisionId(), "meter " + meter + " has no price policy; the live system charged "
                            + plain(d.amount()) + " under " + Scenario.NO_POLICY_FALLBACK + "@v1", finding(FindingCode.NO_POLICY, evt, null));
                }
                case NO_PRICE -> {
                    if (k.status() != RatingStatus.NO_PRICE)
                        throw new IllegalStateException("NO_PRICE event " + evt + " rated " + k.status());
                    BigDecimal guess = p.meter == Meter.EGRESS_GB
                            ? Scenario.CENTS.apply(quantity[r].multiply(new BigDecimal("0.08"))) : new BigDecimal("0.80");
                    DecisionRow d = charged(r, k.price().policyId(), k.price().version(), guess, k);
                    decisionRows.add(d);
                    fault(kind, evt, d.decisionId(), p.meter == Meter.EGRESS_GB
                            ? "dimensions " + DIMS_JSON[UNPRICED_DIMS] + " match no entry of " + k.price() + ", which has no default"
                            : "payment event without value under percentage price " + k.price(),
                            finding(FindingCode.NO_PRICE, evt, null));
                }
                case POLICY_CONFLICT -> {
                    if (k.status() != RatingStatus.POLICY_CONFLICT)
                        throw new IllegalStateException("POLICY_CONFLICT event " + evt + " rated " + k.status());
                    PolicyVersion promo = scenario.registry.find(Scenario.CONFLICT_PROMO, 1).orElseThrow();
                    BigDecimal amount = Scenario.CENTS.apply(packages((Rule.Package) promo.rule(), k.before(), quantity[r]));
                    DecisionRow d = charged(r, Scenario.CONFLICT_PROMO, 1, amount, k);
                    decisionRows.add(d);
                    fault(kind, evt, d.decisionId(), Scenario.CONFLICT_PRICE + " and " + Scenario.CONFLICT_PROMO
                            + " both apply; the live system used the promo", finding(FindingCode.POLICY_CONFLICT, evt, null));
                }
                default -> throw new IllegalStateException("fault " + kind + " is not placed on events");
            }
        }

        /** A charged decision naming the given price, for events that have no expected amount. */
        DecisionRow charged(int r, String pricePolicy, int priceVersion, BigDecimal amount, Expectation k) {
            VersionRef discount = k.discount(), ent = k.entitlement();
            return new DecisionRow(id("dec-", p.firstSeq + r, null), ids[r], Outcome.CHARGED.wire(), amount, Scenario.CURRENCY,
                    pricePolicy, priceVersion, discount == null ? null : discount.policyId(), discount == null ? null : discount.version(),
                    ent == null ? null : ent.policyId(), ent == null ? null : ent.version(), decided[r], invoice());
        }

        /** What a denied event would have cost without its quota (unit price: trial partitions are API usage). */
        BigDecimal unquotaed(int r, Expectation k) {
            PolicyVersion v = scenario.registry.find(k.price().policyId(), k.price().version()).orElseThrow();
            return v.roundingOrDefault().apply(quantity[r].multiply(((Rule.Unit) v.rule()).unitPrice()));
        }

        /** Every decision the generator writes from an expectation relies on it being an ordinary, final one. */
        void requireRated(int r, Expectation k, boolean charged) {
            if (k.status() != RatingStatus.RATED || !k.hasAmount() || k.outcome() == null || k.provisional())
                throw new IllegalStateException("event " + ids[r] + " of " + customer + "/" + meter + " expected " + k.status()
                        + (k.provisional() ? " (provisional)" : "") + ": " + k.computation());
            if (charged && k.outcome() != Outcome.CHARGED)
                throw new IllegalStateException("event " + ids[r] + " chosen for a charged-only fault is " + k.outcome());
        }

        void requirePrice(int r, Expectation k, String policyId, int version) {
            if (!new VersionRef(policyId, version).equals(k.price()))
                throw new IllegalStateException("event " + ids[r] + " expected " + k.price() + ", not " + policyId + "@v" + version);
        }

        /** One per event whose two views disagree: a correction recorded after its decision. */
        void retroactive(int r, ExpectedEvent e) {
            Expectation k = e.asKnown(), c = e.asCorrected();
            if (!k.hasAmount() || !c.hasAmount()) return;
            if (k.amount().compareTo(c.amount()) == 0 && k.outcome() == c.outcome()) return;
            fault(FaultKind.RETROACTIVE_CORRECTION, ids[r], fault[r] == null ? id("dec-", p.firstSeq + r, null) : null,
                    "as known at the decision " + k.outcome().wire() + " " + plain(k.amount()) + " under " + k.price()
                            + "; as corrected " + c.outcome().wire() + " " + plain(c.amount()) + " under " + c.price(),
                    finding(FindingCode.RETROACTIVE_CORRECTION, ids[r], null));
        }

        TruthFinding finding(FindingCode code, String eventId, String decisionId) {
            return new TruthFinding(code, eventId, decisionId);
        }

        void fault(FaultKind kind, String eventId, String decisionId, String note, TruthFinding... causes) {
            List<TruthFinding> list = List.of(causes);
            faults.add(new TruthFault(kind, eventId, decisionId, note, list));
            findings.addAll(list);
        }
    }

    /** What a package rule charges for an event (free units ignored: the promo has none). */
    static BigDecimal packages(Rule.Package rule, BigDecimal before, BigDecimal quantity) {
        BigDecimal size = rule.packageSize();
        BigDecimal started = before.add(quantity).divide(size, 0, java.math.RoundingMode.CEILING)
                .subtract(before.divide(size, 0, java.math.RoundingMode.CEILING));
        return rule.packagePrice().multiply(started);
    }

    private static final String CHARGED = Outcome.CHARGED.wire(), DENIED = Outcome.DENIED.wire();

    static String wire(Outcome o) {
        return o == Outcome.CHARGED ? CHARGED : DENIED;
    }

    static String plain(BigDecimal d) {
        return d == null ? "?" : d.toPlainString();
    }

    /** "evt-0000001234": fixed width, so ids sort like their numbers. */
    static String id(String prefix, long seq, String suffix) {
        char[] c = new char[prefix.length() + 10];
        prefix.getChars(0, prefix.length(), c, 0);
        long x = seq;
        for (int i = c.length - 1; i >= prefix.length(); i--) {
            c[i] = (char) ('0' + x % 10);
            x /= 10;
        }
        if (x != 0) throw new IllegalArgumentException("sequence " + seq + " too large");
        String s = new String(c);
        return suffix == null ? s : s + suffix;
    }

    static BigDecimal decimal(double x, int scale) {
        return BigDecimal.valueOf(Math.round(x * Math.pow(10, scale)), scale);
    }

    private static double[] cumulative(double[] w) {
        double[] c = new double[w.length];
        double s = 0;
        for (int i = 0; i < w.length; i++) c[i] = s += w[i];
        return c;
    }
}
