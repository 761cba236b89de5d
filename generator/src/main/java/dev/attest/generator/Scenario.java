package dev.attest.generator;

import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Rounding;
import dev.attest.core.policy.Rule;
import dev.attest.core.policy.Tier;
import dev.attest.core.rating.BillingCycle;
import dev.attest.core.rating.BillingCycles;
import dev.attest.core.rating.BillingPeriod;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The synthetic world of one (events, seed): customers, meters, policies, and the plan of billing-period
 * partitions with their event counts and the faults each will carry. Everything here is small (a few
 * thousand partitions at most); the events themselves are made partition by partition.
 *
 * <p>The story: a little over three months of usage (January 1 to April 10, 2026) of a usage-billed SaaS. Customers are
 * billed on their own cycles (contracts section 10): period starts on anchor days 1, 15, 29, 30 and 31 at local midnight in
 * zones west and east of UTC, through the DST changes of March and April (US on March 8, Europe on March 29, Sydney's
 * end of DST on April 5); the rest keep the UTC calendar month. A partition is (customer, meter, billing period of the
 * customer's cycle) clipped to the data's time range. Every price
 * model is in use. The default API price rises on January 15 (recorded on January 5); an enterprise
 * customer (cust-0003) has its own API price, whose February rate was entered wrong and corrected on
 * February 26, after most February decisions were made (RETROACTIVE_CORRECTION); cust-0007 has its own
 * SMS price, and someone added a promo for it as a separate policy instead of a new version, so for two
 * days two customer-specific policies apply (POLICY_CONFLICT); trial customers have an API quota per billing period
 * (entitlement) and are denied beyond it; there are customer-specific and default discounts; a beta GPU
 * meter shipped without a price (NO_POLICY).
 */
final class Scenario {
    static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant FEB = Instant.parse("2026-02-01T00:00:00Z");
    /** After the last DST change of the story (Sydney, April 5), so that periods span it. */
    static final Instant TO = Instant.parse("2026-04-10T00:00:00Z");
    /** After the end of every period the window touches (the latest: anchor 31 in Los Angeles, April 30 07:00Z): all closed. */
    static final Instant AS_OF = Instant.parse("2026-05-05T00:00:00Z");
    static final long DAY_MS = 86_400_000L;
    static final Duration LATE_AFTER = Duration.ofHours(1);
    static final String CURRENCY = "USD";
    static final String WRONG_CURRENCY = "EUR";

    // Policy ids and the versions the faults refer to.
    static final String API_PRICE = "price-api_calls";
    static final Instant API_V2_FROM = Instant.parse("2026-01-15T00:00:00Z");
    static final Instant API_V2_RECORDED = Instant.parse("2026-01-05T10:00:00Z");
    static final String CORRECTED_CUSTOMER = "cust-0003";
    static final String CORRECTED_PRICE = "price-api_calls-cust-0003";
    static final Instant CORRECTION_RECORDED = Instant.parse("2026-02-26T10:00:00Z");
    static final String CONFLICT_CUSTOMER = "cust-0007";
    static final String CONFLICT_PRICE = "price-sms-cust-0007";
    static final String CONFLICT_PROMO = "price-sms-cust-0007-promo";
    static final Instant PROMO_FROM = Instant.parse("2026-01-20T00:00:00Z");
    static final Instant PROMO_TO = Instant.parse("2026-01-22T00:00:00Z");
    static final Instant PROMO_RECORDED = Instant.parse("2026-01-19T16:00:00Z");
    /** What the live system named for events of the unpriced GPU meter. */
    static final String NO_POLICY_FALLBACK = "price-compute_seconds";
    static final int UNKNOWN_VERSION = 99;

    // Fault event time ranges (epoch ms): away from the window's edges so every decision stays inside it.
    static final long SAFE_LO = Instant.parse("2026-01-02T00:00:00Z").toEpochMilli();
    static final long SAFE_HI = Instant.parse("2026-04-07T00:00:00Z").toEpochMilli();

    /**
     * The billing cycles handed out to customers (a seeded permutation decides who gets which): every anchor of the
     * story's edge cases (1, 15, 29, 30, 31: in February 2026 the last three all start on the 28th) in zones west
     * (New York, Los Angeles) and east (Berlin, Tokyo, Sydney) of UTC, and two non-default UTC cycles.
     */
    static final List<BillingCycle> CYCLES = List.of(
            BillingCycle.parse(15, "America/New_York"),
            BillingCycle.parse(31, "America/Los_Angeles"),
            BillingCycle.parse(29, "Europe/Berlin"),
            BillingCycle.parse(30, "Asia/Tokyo"),
            BillingCycle.parse(31, "Australia/Sydney"),
            BillingCycle.parse(1, "America/New_York"),
            BillingCycle.parse(15, "Europe/Berlin"),
            BillingCycle.parse(30, "America/Los_Angeles"),
            BillingCycle.parse(29, "Australia/Sydney"),
            BillingCycle.parse(1, "Asia/Tokyo"),
            BillingCycle.parse(15, "UTC"),
            BillingCycle.parse(31, "UTC"));
    /** Customers on the default UTC calendar month that customers.csv still lists (with anchor 1 and zone UTC). */
    static final int LISTED_DEFAULTS = 2;

    static final Rounding CENTS = Rounding.of(2, "half_even");

    enum Role {
        /** An ordinary partition: may carry faults. */
        REGULAR,
        /** API usage of a trial customer under a quota: some events denied. */
        TRIAL,
        /** cust-0007's SMS in the period that holds the promo's two days (January 20-22): they are POLICY_CONFLICT faults. */
        CONFLICT,
        /** cust-0003's API usage of periods that overlap Feb 1 to Feb 26: the retroactive correction's events, kept free of other faults. */
        CORRECTION,
        /** The unpriced GPU meter: every event is a NO_POLICY fault. */
        GPU
    }

    /**
     * @param cycle   the customer's billing cycle ({@link BillingCycle#CALENDAR_MONTH_UTC} by default)
     * @param listed  whether customers.csv lists the customer (every customer with its own cycle, and a few on the default)
     * @param periods the billing periods of the cycle that overlap [FROM, TO), in time order
     */
    record Customer(int number, String id, double weight, EnumSet<Meter> meters, boolean trial, BillingCycle cycle, boolean listed,
                    List<BillingPeriod> periods) {}

    /**
     * A fault to place in a partition.
     *
     * @param ordinal  its index among the faults of its kind (ORPHAN_DECISION uses it for the lost event's id)
     * @param variant  WRONG_VERSION: 0 late (names v1), 1 early (names v2); OUTCOME_MISMATCH: 0 charged->denied,
     *                 1 in a trial partition (denied->charged when a denied event exists)
     * @param lo       earliest event time (epoch ms), inclusive
     * @param hi       latest event time (epoch ms), exclusive
     */
    record FaultInstance(FaultKind kind, int ordinal, int variant, long lo, long hi) {}

    static final class PartitionSpec {
        final Customer customer;
        final Meter meter;
        final BillingPeriod period; // of the customer's cycle
        final int periodIndex;      // its index among the customer's periods (0: the one holding FROM)
        final long startMs, endMs;  // the period clipped to [FROM, TO)
        final Role role;
        int index;
        int regular;     // ordinary events
        int extra;       // POLICY_CONFLICT events (CONFLICT) or NO_POLICY events (GPU)
        long firstSeq;   // sequence number of the first event (1-based)
        double weight;
        final List<FaultInstance> faults = new ArrayList<>();

        PartitionSpec(Customer customer, Meter meter, int periodIndex, Role role) {
            this.customer = customer;
            this.meter = meter;
            this.periodIndex = periodIndex;
            this.period = customer.periods().get(periodIndex);
            this.startMs = clippedStart(period);
            this.endMs = clippedEnd(period);
            this.role = role;
        }

        int count() {
            return regular + extra;
        }

        long startMs() {
            return startMs;
        }

        long endMs() {
            return endMs;
        }

        /** The period's name: its local start date ({@code 2026-02-15}). */
        String periodText() {
            return period.toString();
        }

        int capacity() {
            return role == Role.REGULAR || role == Role.TRIAL ? regular / 3 - faults.size() : 0;
        }

        /** Events not yet chosen for a fault: what a small dataset falls back to when no partition has capacity left. */
        int spare() {
            return role == Role.REGULAR || role == Role.TRIAL ? regular - faults.size() : 0;
        }

        int capacity(boolean relaxed) {
            return relaxed ? spare() : capacity();
        }
    }

    final long seed;
    final long events;
    final int faultsPerKind;
    final List<Customer> customers;
    /** Each customer's billing cycle, as customers.csv says (customers it does not list: UTC calendar months). */
    final BillingCycles cycles;
    final List<PartitionSpec> partitions;
    final List<Policy> policies;
    final PolicyRegistry registry;
    /** Tier bounds, scaled so that typical customers cross tiers whatever N is. */
    final BigDecimal gradLow, gradHigh, volLow, volHigh;
    final Map<String, BigDecimal> trialLimits;

    Scenario(long events, long seed) {
        this(events, seed, true);
    }

    /** @param faults false: no injected faults (the scenario's own correction, quota and policies stay) */
    Scenario(long events, long seed, boolean faults) {
        if (events < 1) throw new IllegalArgumentException("events must be >= 1, got " + events);
        if (events > 2_000_000_000L) throw new IllegalArgumentException("events must be <= 2,000,000,000, got " + events);
        this.seed = seed;
        this.events = events;
        this.faultsPerKind = !faults || events < 200 ? 0 : events < 2_000 ? 1 : (int) Math.max(3, events / 100_000);
        this.customers = customers(events, seed);
        Map<String, BillingCycle> listed = new TreeMap<>();
        for (Customer c : customers) if (c.listed) listed.put(c.id, c.cycle);
        this.cycles = BillingCycles.of(listed);

        // Partitions and their event counts.
        int special = 2 * faultsPerKind; // NO_POLICY events + POLICY_CONFLICT events
        long regularTotal = events - special;
        // Period by period (the k-th period of every customer), then customer, then meter: roughly in time order.
        List<PartitionSpec> all = new ArrayList<>();
        int maxPeriods = 0;
        for (Customer c : customers) maxPeriods = Math.max(maxPeriods, c.periods.size());
        for (int k = 0; k < maxPeriods; k++) {
            for (Customer c : customers) {
                if (k >= c.periods.size()) continue;
                BillingPeriod period = c.periods.get(k);
                double days = (double) (clippedEnd(period) - clippedStart(period)) / DAY_MS;
                for (Meter m : Meter.values()) {
                    if (m.regular && c.meters.contains(m)) {
                        PartitionSpec p = new PartitionSpec(c, m, k, role(c, m, period));
                        p.weight = c.weight * m.weight * days;
                        all.add(p);
                    } else if (m == Meter.GPU_MINUTES && faultsPerKind > 0) {
                        int n = gpuEvents(c, k);
                        if (n > 0) {
                            PartitionSpec p = new PartitionSpec(c, m, k, Role.GPU);
                            p.extra = n;
                            all.add(p);
                        }
                    }
                }
            }
        }
        allocate(all, regularTotal);
        for (PartitionSpec p : all) if (p.role == Role.CONFLICT) p.extra = faultsPerKind;
        if (faultsPerKind > 0) ensureCorrectionEvents(all);
        List<PartitionSpec> kept = new ArrayList<>();
        long seq = 1;
        for (PartitionSpec p : all) {
            if (p.count() == 0) continue;
            p.index = kept.size();
            p.firstSeq = seq;
            seq += p.count();
            kept.add(p);
        }
        if (seq - 1 != events) throw new IllegalStateException("planned " + (seq - 1) + " events, not " + events);
        this.partitions = List.copyOf(kept);

        // Scale tier bounds and quotas to the partition sizes this N gives.
        this.gradLow = nice(0.4 * typicalTotal(Meter.COMPUTE_SECONDS));
        this.gradHigh = above(nice(1.2 * typicalTotal(Meter.COMPUTE_SECONDS)), gradLow);
        this.volLow = nice(0.6 * typicalTotal(Meter.STORAGE_GB));
        this.volHigh = above(nice(1.6 * typicalTotal(Meter.STORAGE_GB)), volLow);
        this.trialLimits = trialLimits();
        this.policies = policies();
        this.registry = new PolicyRegistry(policies);

        planFaults();
    }

    private static BigDecimal above(BigDecimal high, BigDecimal low) {
        return high.compareTo(low) > 0 ? high : low.multiply(BigDecimal.valueOf(2));
    }

    // ---- customers ----

    private static List<Customer> customers(long events, long seed) {
        int n = (int) Math.max(20, Math.min(200, events / 50_000));
        SplittableRandom r = Rand.stream(seed, 2, 0);
        List<Customer> list = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            double w = Math.exp(0.9 * gaussian(r));
            boolean trial = i % 10 == 6;
            if (i == 1) w *= 3; // one big account
            if (trial) w *= 0.4;
            EnumSet<Meter> meters = EnumSet.of(Meter.API_CALLS);
            for (Meter m : Meter.values()) {
                if (!m.regular || m == Meter.API_CALLS) continue;
                boolean uses = i <= 10 || r.nextDouble() < 0.55;
                if (uses && !trial) meters.add(m);
            }
            list.add(new Customer(i, customerId(i), w, meters, trial, null, false, null));
        }
        // Billing cycles: a seeded permutation of the customers takes the CYCLES, then LISTED_DEFAULTS listed defaults.
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom shuffle = Rand.stream(seed, 4, 0);
        for (int i = n - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            int x = order[i];
            order[i] = order[j];
            order[j] = x;
        }
        BillingCycle[] cycle = new BillingCycle[n];
        boolean[] listed = new boolean[n];
        for (int i = 0; i < n; i++) {
            int c = order[i];
            cycle[c] = i < CYCLES.size() ? CYCLES.get(i) : BillingCycle.CALENDAR_MONTH_UTC;
            listed[c] = i < CYCLES.size() + LISTED_DEFAULTS;
        }
        List<Customer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Customer c = list.get(i);
            out.add(new Customer(c.number, c.id, c.weight, c.meters, c.trial, cycle[i], listed[i], periods(cycle[i])));
        }
        return List.copyOf(out);
    }

    /** The periods of a cycle that overlap [FROM, TO), in time order. */
    static List<BillingPeriod> periods(BillingCycle cycle) {
        List<BillingPeriod> out = new ArrayList<>();
        for (BillingPeriod p = cycle.periodOf(FROM); p.start().isBefore(TO); p = cycle.period(p.month().plusMonths(1))) out.add(p);
        return List.copyOf(out);
    }

    static long clippedStart(BillingPeriod p) {
        return Math.max(p.start().toEpochMilli(), FROM.toEpochMilli());
    }

    static long clippedEnd(BillingPeriod p) {
        return Math.min(p.end().toEpochMilli(), TO.toEpochMilli());
    }

    static String customerId(int number) {
        return String.format("cust-%04d", number);
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller; one value is enough here.
        double u = 1.0 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private static Role role(Customer c, Meter m, BillingPeriod period) {
        if (m == Meter.API_CALLS && c.trial) return Role.TRIAL;
        if (m == Meter.SMS && c.id.equals(CONFLICT_CUSTOMER) && period.contains(PROMO_FROM)) {
            if (!period.contains(PROMO_TO.minusMillis(1)))
                throw new IllegalStateException(CONFLICT_CUSTOMER + "'s period " + period + " does not hold the whole promo");
            return Role.CONFLICT;
        }
        if (m == Meter.API_CALLS && c.id.equals(CORRECTED_CUSTOMER) && clippedStart(period) < CORRECTION_RECORDED.toEpochMilli()
                && clippedEnd(period) > FEB.toEpochMilli()) return Role.CORRECTION;
        return Role.REGULAR;
    }

    /** The NO_POLICY events: spread over three customers and, round by round, over their periods. */
    private int gpuEvents(Customer c, int periodIndex) {
        int[] owners = {1, 4, 8};
        // the owner's periods with at least a day inside the fault range [SAFE_LO, SAFE_HI)
        List<Integer> usable = new ArrayList<>();
        for (int k = 0; k < c.periods.size(); k++) {
            BillingPeriod p = c.periods.get(k);
            if (Math.min(SAFE_HI, clippedEnd(p)) - Math.max(SAFE_LO, clippedStart(p)) >= DAY_MS) usable.add(k);
        }
        int n = 0;
        for (int i = 0; i < faultsPerKind; i++)
            if (owners[i % 3] == c.number && usable.get((i / 3) % usable.size()) == periodIndex) n++;
        return n;
    }

    /** Largest-remainder allocation of {@code total} events over the regular partitions by weight. */
    private static void allocate(List<PartitionSpec> all, long total) {
        List<PartitionSpec> regular = new ArrayList<>();
        double sum = 0;
        for (PartitionSpec p : all) {
            if (p.role == Role.GPU) continue;
            regular.add(p);
            sum += p.weight;
        }
        long given = 0;
        double[] remainder = new double[regular.size()];
        for (int i = 0; i < regular.size(); i++) {
            double exact = total * regular.get(i).weight / sum;
            long floor = (long) Math.floor(exact);
            regular.get(i).regular = Math.toIntExact(floor);
            remainder[i] = exact - floor;
            given += floor;
        }
        Integer[] order = new Integer[regular.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -remainder[i]).thenComparingInt(i -> i));
        for (int i = 0; given < total; i = (i + 1) % order.length, given++) regular.get(order[i]).regular++;
    }

    /** Even a small dataset shows the correction: its partition gets a few events, taken from the largest one. */
    private static void ensureCorrectionEvents(List<PartitionSpec> all) {
        final int minimum = 8;
        for (PartitionSpec p : all) {
            if (p.role != Role.CORRECTION || p.regular >= minimum) continue;
            PartitionSpec largest = null;
            for (PartitionSpec q : all) if (q.role == Role.REGULAR && (largest == null || q.regular > largest.regular)) largest = q;
            int moved = Math.min(minimum - p.regular, largest == null ? 0 : largest.regular / 2);
            if (moved <= 0) continue;
            largest.regular -= moved;
            p.regular += moved;
        }
    }

    /** The median of a meter's partition totals (count x mean quantity). */
    private double typicalTotal(Meter m) {
        List<Double> totals = new ArrayList<>();
        for (PartitionSpec p : partitions) if (p.meter == m) totals.add(p.regular * m.meanQuantity());
        if (totals.isEmpty()) return 1;
        totals.sort(null);
        return Math.max(1, totals.get(totals.size() / 2));
    }

    /**
     * Trial quotas: about 70% of the customer's expected API usage in a whole billing period (a month of the data's
     * time range), so the last events of a period are denied.
     */
    private Map<String, BigDecimal> trialLimits() {
        Map<String, BigDecimal> limits = new TreeMap<>();
        double months = (double) (TO.toEpochMilli() - FROM.toEpochMilli()) / DAY_MS / (365.25 / 12);
        for (Customer c : customers) {
            if (!c.trial) continue;
            double total = 0;
            for (PartitionSpec p : partitions) if (p.customer == c && p.meter == Meter.API_CALLS) total += p.regular;
            limits.put(c.id, nice(0.7 * Math.max(1, total / months) * Meter.API_CALLS.meanQuantity()));
        }
        return limits;
    }

    /** Rounds down to 1, 2, 2.5 or 5 times a power of ten (at least 1): a limit a person would write. */
    static BigDecimal nice(double x) {
        if (!(x >= 1)) return BigDecimal.ONE;
        double p = Math.pow(10, Math.floor(Math.log10(x)));
        double m = x / p;
        double n = m >= 5 ? 5 : m >= 2.5 ? 2.5 : m >= 2 ? 2 : 1;
        BigDecimal d = new BigDecimal(Double.toString(n * p)).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0) : d;
    }

    // ---- policies ----

    private static Instant t(String text) {
        return Instant.parse(text);
    }

    private static BigDecimal d(String text) {
        return new BigDecimal(text);
    }

    private List<Policy> policies() {
        List<Policy> list = new ArrayList<>();
        Instant launch = t("2025-10-01T00:00:00Z");
        Instant published = t("2025-09-22T14:03:00Z");

        // unit, with a scheduled mid-month change
        list.add(price(API_PRICE, Meter.API_CALLS, null,
                new PolicyVersion(API_PRICE, 1, launch, null, published, new Rule.Unit(d("0.0002")), CENTS, "CHG-1001", "m.alvarez"),
                new PolicyVersion(API_PRICE, 2, API_V2_FROM, null, API_V2_RECORDED, new Rule.Unit(d("0.00025")), CENTS, "CHG-1187",
                        "m.alvarez")));
        // customer-specific override, corrected late
        list.add(price(CORRECTED_PRICE, Meter.API_CALLS, CORRECTED_CUSTOMER,
                new PolicyVersion(CORRECTED_PRICE, 1, t("2025-12-01T00:00:00Z"), null, t("2025-11-25T09:30:00Z"), new Rule.Unit(d("0.00015")),
                        CENTS, "CHG-1123", "s.okafor"),
                new PolicyVersion(CORRECTED_PRICE, 2, FEB, null, CORRECTION_RECORDED, new Rule.Unit(d("0.00018")), CENTS, "CHG-1302",
                        "billing-ops")));
        // graduated
        list.add(price("price-compute_seconds", Meter.COMPUTE_SECONDS, null,
                new PolicyVersion("price-compute_seconds", 1, launch, null, published, new Rule.Graduated(List.of(
                        new Tier(gradLow, d("0.0004"), null),
                        new Tier(gradHigh, d("0.0003"), d("5.00")),
                        new Tier(null, d("0.0002"), null))), CENTS, "CHG-1002", "m.alvarez")));
        // volume
        list.add(price("price-storage_gb", Meter.STORAGE_GB, null,
                new PolicyVersion("price-storage_gb", 1, launch, null, published, new Rule.Volume(List.of(
                        new Tier(volLow, d("0.023"), d("2.00")),
                        new Tier(volHigh, d("0.020"), null),
                        new Tier(null, d("0.016"), d("25.00")))), CENTS, "CHG-1003", "m.alvarez")));
        // package, a customer-specific one, and the promo that conflicts with it
        list.add(price("price-sms", Meter.SMS, null,
                new PolicyVersion("price-sms", 1, launch, null, published, new Rule.Package(d("100"), d("0.75"), d("100")), CENTS,
                        "CHG-1004", "m.alvarez")));
        list.add(price(CONFLICT_PRICE, Meter.SMS, CONFLICT_CUSTOMER,
                new PolicyVersion(CONFLICT_PRICE, 1, t("2025-12-01T00:00:00Z"), null, t("2025-11-20T12:00:00Z"),
                        new Rule.Package(d("100"), d("0.60"), BigDecimal.ZERO), CENTS, "CHG-1120", "s.okafor")));
        list.add(price(CONFLICT_PROMO, Meter.SMS, CONFLICT_CUSTOMER,
                new PolicyVersion(CONFLICT_PROMO, 1, PROMO_FROM, PROMO_TO, PROMO_RECORDED,
                        new Rule.Package(d("100"), d("0.45"), BigDecimal.ZERO), CENTS, null, "k.berg")));
        // percentage
        list.add(price("price-payments", Meter.PAYMENTS, null,
                new PolicyVersion("price-payments", 1, launch, null, published,
                        new Rule.Percentage(d("2.9"), d("0.30"), d("0.50"), d("25.00")), CENTS, "CHG-1005", "m.alvarez")));
        // matrix, without a default price
        list.add(price("price-egress_gb", Meter.EGRESS_GB, null,
                new PolicyVersion("price-egress_gb", 1, launch, null, published, new Rule.Matrix(List.of("region", "tier"), List.of(
                        new Rule.MatrixEntry(Map.of("region", "apac", "tier", "premium"), d("0.14")),
                        new Rule.MatrixEntry(Map.of("region", "apac"), d("0.12")),
                        new Rule.MatrixEntry(Map.of("region", "eu"), d("0.09")),
                        new Rule.MatrixEntry(Map.of("region", "us"), d("0.08"))), null), CENTS, "CHG-1006", "m.alvarez")));
        // discounts: two customer-specific, one default with a bounded validity
        list.add(other("discount-compute_seconds-cust-0002", PolicyKind.DISCOUNT, Meter.COMPUTE_SECONDS, "cust-0002",
                t("2025-12-01T00:00:00Z"), null, t("2025-11-20T12:00:00Z"), new Rule.Discount(d("10")), "CHG-1121", "s.okafor"));
        list.add(other("discount-api_calls-cust-0005", PolicyKind.DISCOUNT, Meter.API_CALLS, "cust-0005",
                FEB, null, t("2026-01-25T11:00:00Z"), new Rule.Discount(d("20")), "CHG-1240", "s.okafor"));
        list.add(other("discount-storage_gb-new-year", PolicyKind.DISCOUNT, Meter.STORAGE_GB, null,
                FROM, t("2026-01-08T00:00:00Z"), t("2025-12-15T08:00:00Z"), new Rule.Discount(d("15")), "CHG-1140", "marketing"));
        // trial quotas
        for (Map.Entry<String, BigDecimal> e : trialLimits.entrySet()) {
            String id = "entitlement-api_calls-" + e.getKey();
            list.add(other(id, PolicyKind.ENTITLEMENT, Meter.API_CALLS, e.getKey(), t("2025-12-01T00:00:00Z"), null,
                    t("2025-11-28T09:00:00Z"), new Rule.Entitlement(e.getValue()), "CHG-1130", "trials-bot"));
        }
        return list;
    }

    private static Policy price(String id, Meter meter, String customer, PolicyVersion... versions) {
        return new Policy(id, PolicyKind.PRICE, meter.id, customer, CURRENCY, List.of(versions), "policies/" + id + ".yaml");
    }

    private static Policy other(String id, PolicyKind kind, Meter meter, String customer, Instant from, Instant to, Instant recorded,
                                Rule rule, String changeRef, String author) {
        return new Policy(id, kind, meter.id, customer, null,
                List.of(new PolicyVersion(id, 1, from, to, recorded, rule, null, changeRef, author)), "policies/" + id + ".yaml");
    }

    // ---- faults ----

    /** Places faultsPerKind faults of every kind, round by round so that a small N still gets one of each. */
    private void planFaults() {
        if (faultsPerKind == 0) return;
        SplittableRandom r = Rand.stream(seed, 3, 0);
        int[] ordinals = new int[FaultKind.values().length];
        for (int round = 0; round < faultsPerKind; round++) {
            for (FaultKind kind : FaultKind.values()) {
                if (!kind.placedOnEvent()) continue;
                int variant = switch (kind) {
                    case WRONG_VERSION, OUTCOME_MISMATCH -> round % 2;
                    default -> 0;
                };
                long[] range = range(kind, variant);
                boolean relaxed = false;
                List<PartitionSpec> eligible = eligible(kind, variant, range, false);
                if (eligible.isEmpty() && kind == FaultKind.OUTCOME_MISMATCH && variant == 1) {
                    variant = 0; // no trial partition can take it: charged -> denied instead
                    range = range(kind, variant);
                    eligible = eligible(kind, variant, range, false);
                }
                if (eligible.isEmpty()) { // a small dataset spread over many periods: any partition with an event to spare
                    relaxed = true;
                    eligible = eligible(kind, variant, range, true);
                }
                if (eligible.isEmpty()) continue; // too few events for one more
                long totalCap = 0;
                for (PartitionSpec p : eligible) totalCap += p.capacity(relaxed);
                long pick = r.nextLong(totalCap);
                PartitionSpec chosen = null;
                for (PartitionSpec p : eligible) {
                    pick -= p.capacity(relaxed);
                    if (pick < 0) {
                        chosen = p;
                        break;
                    }
                }
                long lo = Math.max(range[0], chosen.startMs()), hi = Math.min(range[1], chosen.endMs());
                chosen.faults.add(new FaultInstance(kind, ordinals[kind.ordinal()]++, variant, lo, hi));
            }
        }
    }

    /** The partitions that can take one more fault of this kind, with event time in the range. */
    private List<PartitionSpec> eligible(FaultKind kind, int variant, long[] range, boolean relaxed) {
        List<PartitionSpec> out = new ArrayList<>();
        for (PartitionSpec p : partitions)
            if (p.capacity(relaxed) > 0 && eligible(kind, variant, p) && p.startMs() < range[1] && p.endMs() > range[0]) out.add(p);
        return out;
    }

    private static boolean eligible(FaultKind kind, int variant, PartitionSpec p) {
        boolean defaultApi = p.meter == Meter.API_CALLS && p.role == Role.REGULAR && !p.customer.id.equals(CORRECTED_CUSTOMER);
        return switch (kind) {
            case WRONG_VERSION -> defaultApi;
            case NOT_YET_RECORDED -> defaultApi; // its range (early January) picks the partitions
            case NO_PRICE -> p.role == Role.REGULAR && (p.meter == Meter.EGRESS_GB || p.meter == Meter.PAYMENTS);
            case OUTCOME_MISMATCH -> variant == 1 ? p.role == Role.TRIAL : p.role == Role.REGULAR;
            default -> p.role == Role.REGULAR;
        };
    }

    /** Event-time range [lo, hi) of a fault, in epoch ms. */
    private static long[] range(FaultKind kind, int variant) {
        return switch (kind) {
            // before v2 was recorded, so that naming v2 is naming a version not yet recorded
            case NOT_YET_RECORDED -> new long[] {t("2026-01-01T06:00:00Z").toEpochMilli(), t("2026-01-05T09:00:00Z").toEpochMilli()};
            // late: v2 applies, v1 named; early: v1 applies (v2 already recorded), v2 named
            case WRONG_VERSION -> variant == 0
                    ? new long[] {t("2026-01-16T00:00:00Z").toEpochMilli(), SAFE_HI}
                    : new long[] {t("2026-01-06T00:00:00Z").toEpochMilli(), API_V2_FROM.toEpochMilli()};
            case IDENTICAL_DUPLICATE_EVENT -> new long[] {FROM.toEpochMilli(), TO.toEpochMilli()};
            default -> new long[] {SAFE_LO, SAFE_HI};
        };
    }

    long faultCount() {
        long n = 0;
        for (PartitionSpec p : partitions) n += p.faults.size() + p.extra;
        return n;
    }
}
