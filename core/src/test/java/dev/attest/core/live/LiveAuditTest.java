package dev.attest.core.live;

import static dev.attest.core.policy.Policies.price;
import static dev.attest.core.policy.Policies.tiers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.findings.Reconciler;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.Rule;
import dev.attest.core.rating.BillingCycles;
import dev.attest.core.rating.ExpectedEvent;
import dev.attest.core.rating.Outcome;
import dev.attest.core.rating.PeriodRater;
import dev.attest.core.rating.RatingEvent;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The live audit against the batch fold and rules it is built on: whatever the arrival order, the same findings. */
class LiveAuditTest {
    static final Instant T0 = Instant.parse("2026-01-10T00:00:00Z");
    static final PolicyRegistry GRADUATED = new PolicyRegistry(List.of(price("p", "api", null, new Rule.Graduated(tiers("10", "1", null, "0.5")))));
    static final PolicyRegistry VOLUME = new PolicyRegistry(List.of(price("p", "api", null, new Rule.Volume(tiers("10", "1", null, "0.5")))));
    static final PolicyRegistry REPRICED = new PolicyRegistry(List.of(price("p", "api", null, new Rule.Volume(tiers("10", "2", null, "0.25")))));

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-06-01T00:00:00Z");

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId z) { return this; }
        @Override public Instant instant() { return now; }
    }

    record Data(List<LiveEvent> events, List<DecisionRecord> decisions) {}

    /** Events of two customers with decisions, some charged wrong, one missing, one orphan, one duplicate. */
    static Data data(Random rnd) {
        List<LiveEvent> events = new ArrayList<>();
        List<DecisionRecord> decisions = new ArrayList<>();
        for (String customer : List.of("a", "b")) {
            for (int i = 0; i < 12; i++) {
                String id = customer + "-e" + i;
                Instant t = T0.plusSeconds(60L * i);
                events.add(new LiveEvent(new RatingEvent(id, customer, "api", BigDecimal.valueOf(1 + rnd.nextInt(4)), t, null, null, Map.of()), null));
                if (i == 5) continue; // MISSING_DECISION
                BigDecimal amount = new BigDecimal(rnd.nextInt(3) == 0 ? "1.5" : "2"); // mostly wrong on purpose: amounts decide the findings
                decisions.add(new DecisionRecord(customer + "-d" + i, id, customer, "api", Outcome.CHARGED, amount, "EUR", "p", 1, null, null, null, null,
                        t.plusSeconds(1 + rnd.nextInt(30)), null));
                if (i == 7) decisions.add(new DecisionRecord(customer + "-d" + i + "r", id, customer, "api", Outcome.CHARGED, amount, "EUR", "p", 1, null,
                        null, null, null, t.plusSeconds(40), null));
            }
            decisions.add(new DecisionRecord(customer + "-orphan", customer + "-nope", customer, "api", Outcome.CHARGED, BigDecimal.ONE, "EUR", "p", 1,
                    null, null, null, null, T0.plusSeconds(100), null));
        }
        return new Data(events, decisions);
    }

    /** What the batch audit says of the same data: sorted partitions rated at once, each event checked with its decisions. */
    static List<String> batch(Data d, PolicyRegistry registry, Instant cutoff) {
        Reconciler rec = new Reconciler(registry, new Reconciler.Params(BigDecimal.ZERO, null));
        Map<String, List<DecisionRecord>> byEvent = d.decisions().stream().collect(Collectors.groupingBy(DecisionRecord::eventId));
        List<String> out = new ArrayList<>();
        Map<String, List<LiveEvent>> byCustomer = d.events().stream().collect(Collectors.groupingBy(e -> e.event().customerId()));
        for (List<LiveEvent> evs : byCustomer.values()) {
            List<RatingEvent> part = evs.stream().map(e -> {
                RatingEvent r = e.event();
                Instant k = byEvent.getOrDefault(r.eventId(), List.of()).stream().map(DecisionRecord::decidedAt).min(Comparator.naturalOrder()).orElse(null);
                return new RatingEvent(r.eventId(), r.customerId(), r.meter(), r.quantity(), r.eventTime(), k, r.value(), r.dimensions());
            }).sorted(Comparator.comparing(RatingEvent::eventTime).thenComparing(RatingEvent::eventId)).toList();
            for (ExpectedEvent x : new PeriodRater(registry, cutoff).rate(part))
                rec.check(x, byEvent.getOrDefault(x.event().eventId(), List.of()), f -> out.add(key(f)));
        }
        d.decisions().stream().filter(x -> x.eventId().endsWith("-nope")).forEach(x -> out.add(key(rec.orphan(x))));
        out.sort(null);
        return out;
    }

    static String key(dev.attest.core.findings.Finding f) {
        return f.code() + "|" + f.eventId() + "|" + f.decisionId() + "|" + plain(f.expectedAmount()) + "|" + plain(f.actualAmount());
    }

    static String plain(BigDecimal x) {
        return x == null ? "" : x.stripTrailingZeros().toPlainString();
    }

    /** The data's events and decisions, an identical re-delivery of one event and {@code more}, in a random order. */
    private static List<Object> shuffledArrivals(Data d, Random rnd, Object... more) {
        List<Object> arrivals = new ArrayList<>(d.events());
        arrivals.addAll(d.decisions());
        arrivals.add(d.events().get(3)); // an identical re-delivery: one event
        arrivals.addAll(List.of(more));
        Collections.shuffle(arrivals, rnd);
        return arrivals;
    }

    /** Every arrival order, the snapshot of each customer taken and put back half way: the settled findings are batch's. */
    @Test
    void settledFindingsEqualTheBatchFoldWhateverTheArrivalOrder() {
        for (PolicyRegistry registry : List.of(GRADUATED, VOLUME)) {
            for (int seed = 1; seed <= 25; seed++) {
                Random rnd = new Random(seed);
                Data d = data(rnd);
                List<Object> arrivals = shuffledArrivals(d, rnd);
                TestClock clock = new TestClock();
                LiveAudit.Settings settings = new LiveAudit.Settings(Duration.ofDays(30), Duration.ofSeconds(5));
                LiveAudit live = new LiveAudit(registry, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null), settings, clock,
                        LiveAudit.Seed.NONE);
                List<Emission> out = new ArrayList<>();
                for (int i = 0; i < arrivals.size(); i++) {
                    if (i == arrivals.size() / 2) live = restart(live, registry, settings, clock);
                    Object a = arrivals.get(i);
                    if (a instanceof LiveEvent e) live.onEvent(e, out::add);
                    else live.onDecision((DecisionRecord) a, out::add);
                    live.settle(false, out::add);
                }
                assertThat(out).noneMatch(e -> e instanceof Emission.Settled);
                clock.now = clock.now.plusSeconds(10);
                live.settle(true, out::add);
                List<String> settled = out.stream().filter(e -> e instanceof Emission.Settled).map(e -> key(((Emission.Settled) e).finding())).sorted().toList();
                assertThat(settled).as("seed " + seed).isEqualTo(batch(d, registry, clock.now));
                assertThat(live.counters().redelivered()).isEqualTo(1);
                assertThat(live.counters().pendingEvents()).isZero();
                // Every decision's last verdict is settled (not provisional) and its chain is unbroken.
                Map<String, List<Verdict>> chains = out.stream().filter(e -> e instanceof Verdict).map(e -> (Verdict) e)
                        .collect(Collectors.groupingBy(Verdict::decisionId));
                for (List<Verdict> chain : chains.values()) {
                    for (int i = 0; i < chain.size(); i++) {
                        assertThat(chain.get(i).verdictId()).isEqualTo(chain.get(i).decisionId() + "#" + (i + 1));
                        assertThat(chain.get(i).supersedes()).isEqualTo(i == 0 ? null : chain.get(i).decisionId() + "#" + i);
                    }
                    assertThat(chain.get(chain.size() - 1).status()).isNotEqualTo(Verdict.Status.PROVISIONAL);
                }
                assertThat(chains).hasSize(d.decisions().size());
            }
        }
    }

    /** One arrival, event or decision, and the settle a stream does after each poll. */
    static void arrive(Object x, LiveAudit live, List<Emission> out) {
        if (x instanceof LiveEvent e) live.onEvent(e, out::add);
        else live.onDecision((DecisionRecord) x, out::add);
        live.settle(false, out::add);
    }

    /** What a stream does after a crash: a new audit from each customer's checkpoint. */
    static LiveAudit restart(LiveAudit live, PolicyRegistry registry, LiveAudit.Settings settings, Clock clock) {
        LiveAudit next = new LiveAudit(registry, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null), settings, clock,
                LiveAudit.Seed.NONE);
        for (String c : List.of("a", "b")) {
            CustomerSnapshot s = live.snapshot(c);
            if (s != null) next.restore(s);
        }
        return next;
    }

    /** An incremental checkpoint as a compacted topic keeps it: the latest row of each key, a null row removing its key. */
    static final class Checkpoint {
        final Map<String, CustomerSnapshot> heads = new java.util.TreeMap<>();
        final Map<String, Map<Object, Object>> rows = new java.util.HashMap<>();

        void apply(List<CustomerSnapshot.Changes> changes) {
            for (CustomerSnapshot.Changes ch : changes) {
                heads.put(ch.customerId(), ch.head());
                Map<Object, Object> r = rows.computeIfAbsent(ch.customerId(), k -> new java.util.HashMap<>());
                ch.events().forEach((k, v) -> put(r, List.of("e", k), v));
                ch.decisions().forEach((k, v) -> put(r, List.of("d", k), v));
                ch.parts().forEach(p -> put(r, List.of("p", p.meter(), p.periodStart()), p));
                ch.verdicts().forEach((k, v) -> put(r, List.of("v", k), v));
            }
        }

        private static void put(Map<Object, Object> r, Object key, Object row) {
            if (row == null) r.remove(key);
            else r.put(key, row);
        }

        @SuppressWarnings("unchecked")
        CustomerSnapshot of(String customer) {
            Map<Object, Object> r = rows.getOrDefault(customer, Map.of());
            return CustomerSnapshot.of(heads.get(customer), rows(r, "e", CustomerSnapshot.EventRow.class),
                    r.entrySet().stream().filter(e -> ((List<?>) e.getKey()).get(0).equals("d")).map(e -> (List<DecisionRecord>) e.getValue()).toList(),
                    rows(r, "p", CustomerSnapshot.PartRow.class), rows(r, "v", CustomerSnapshot.MarkRow.class));
        }

        private static <T> List<T> rows(Map<Object, Object> r, String kind, Class<T> type) {
            return r.entrySet().stream().filter(e -> ((List<?>) e.getKey()).get(0).equals(kind)).map(e -> type.cast(e.getValue())).toList();
        }

        LiveAudit restore(LiveAudit next) {
            for (String c : heads.keySet()) next.restore(of(c));
            return next;
        }
    }

    /** The whole snapshot without the parts' pending lists (the incremental checkpoint derives them from the events). */
    static CustomerSnapshot withoutPending(CustomerSnapshot s) {
        return new CustomerSnapshot(s.customerId(), s.events(), s.decisions(), s.parts().stream().map(p -> new CustomerSnapshot.PartRow(p.meter(),
                p.periodStart(), p.seed(), p.watermark(), p.maxEventTime(), p.lastArrival(), List.of(), p.volume(), p.settledThrough())).toList(), s.verdicts(),
                s.maxEventTime(), s.maxDecidedAt(), s.lastArrival(), s.watermark(), s.late(), s.redelivered());
    }

    /**
     * The incremental checkpoint after every message equals the whole snapshot of each customer it wrote, and an audit
     * restarted from it after every message says exactly what an uninterrupted one says (with a short hold, so events
     * settle, are pruned and come late along the way).
     */
    @Test
    void restartingFromTheIncrementalCheckpointAfterEveryMessageChangesNothing() {
        for (PolicyRegistry registry : List.of(GRADUATED, VOLUME)) {
            for (int seed = 1; seed <= 25; seed++) {
                Random rnd = new Random(seed);
                Data d = data(rnd);
                List<Object> arrivals = shuffledArrivals(d, rnd,
                        new LiveEvent(new RatingEvent("a-e4", "a", "api", new BigDecimal("9"), T0.plusSeconds(240), null, null, Map.of()), null));
                // Mostly in time order, as a stream reads them: the shuffle only swaps neighbours.
                arrivals.sort(Comparator.comparing(a -> a instanceof LiveEvent e ? e.event().eventTime() : ((DecisionRecord) a).decidedAt().minusSeconds(rnd.nextInt(90))));
                LiveAudit.Settings settings = new LiveAudit.Settings(Duration.ofMinutes(2), Duration.ofSeconds(5));
                TestClock clockA = new TestClock(), clockB = new TestClock();
                LiveAudit a = new LiveAudit(registry, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null), settings, clockA,
                        LiveAudit.Seed.NONE);
                LiveAudit b = new LiveAudit(registry, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null), settings, clockB,
                        LiveAudit.Seed.NONE);
                Checkpoint cp = new Checkpoint();
                List<Emission> outA = new ArrayList<>(), outB = new ArrayList<>();
                for (Object x : arrivals) {
                    clockA.now = clockA.now.plusSeconds(1);
                    clockB.now = clockA.now;
                    arrive(x, a, outA);
                    arrive(x, b, outB);
                    a.drainChanges();
                    List<CustomerSnapshot.Changes> changes = b.drainChanges();
                    cp.apply(changes);
                    for (CustomerSnapshot.Changes ch : changes)
                        assertThat(cp.of(ch.customerId())).as("seed " + seed).isEqualTo(withoutPending(b.snapshot(ch.customerId())));
                    b = cp.restore(new LiveAudit(registry, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null), settings, clockB,
                            LiveAudit.Seed.NONE));
                }
                clockA.now = clockA.now.plusSeconds(10);
                clockB.now = clockA.now;
                a.settle(true, outA::add);
                b.settle(true, outB::add);
                for (int i = 0; i < Math.min(outA.size(), outB.size()); i++)
                    assertThat(outB.get(i)).as("seed " + seed + ", emission " + i).isEqualTo(outA.get(i));
                assertThat(outB).as("seed " + seed).hasSameSizeAs(outA);
                assertThat(outA).anyMatch(e -> e instanceof Emission.Settled);
            }
        }
    }

    /**
     * A closed volume period settles a slice at a time (here 3 events per settle call), restarted from its incremental
     * checkpoint after every slice, and says what settling it at once says: the same findings and verdicts, and data that
     * comes for its events while the slices go is late, as it is after the whole period settled; a policy change then
     * moves nothing of it.
     */
    @Test
    void aClosedVolumePeriodSettlesInSlicesAndSaysWhatItWouldSayAtOnce() {
        for (int seed = 1; seed <= 10; seed++) {
            Random rnd = new Random(seed);
            Data d = data(rnd);
            List<Object> arrivals = shuffledArrivals(d, rnd);
            arrivals.sort(Comparator.comparing(a -> a instanceof LiveEvent e ? e.event().eventTime() : ((DecisionRecord) a).decidedAt()));
            TestClock clock = new TestClock();
            LiveAudit.Settings whole = new LiveAudit.Settings(Duration.ofDays(30), Duration.ofSeconds(5)), sliced = new LiveAudit.Settings(
                    Duration.ofDays(30), Duration.ofSeconds(5), 3);
            java.util.function.Function<LiveAudit.Settings, LiveAudit> audit = st -> new LiveAudit(VOLUME, BillingCycles.calendarMonths(),
                    new Reconciler.Params(BigDecimal.ZERO, null), st, clock, LiveAudit.Seed.NONE);
            LiveAudit a = audit.apply(whole), b = audit.apply(sliced);
            Checkpoint cp = new Checkpoint();
            List<Emission> outA = new ArrayList<>(), outB = new ArrayList<>();
            for (Object x : arrivals) {
                clock.now = clock.now.plusSeconds(1);
                arrive(x, a, outA);
                arrive(x, b, outB);
                cp.apply(b.drainChanges());
            }
            assertThat(outB).noneMatch(e -> e instanceof Emission.Settled);
            // Data for the customers' last events, which the first slice leaves pending: a decision, a conflicting copy.
            DecisionRecord lateDecision = new DecisionRecord("a-d11x", "a-e11", "a", "api", Outcome.CHARGED, BigDecimal.ONE, "EUR", "p", 1, null, null,
                    null, null, T0.plusSeconds(60L * 11 + 50), null);
            LiveEvent lateCopy = new LiveEvent(new RatingEvent("b-e10", "b", "api", new BigDecimal("99"), T0.plusSeconds(600), null, null, Map.of()), null);

            clock.now = clock.now.plusSeconds(10);
            a.settle(true, outA::add);
            a.onDecision(lateDecision, outA::add);
            a.onEvent(lateCopy, outA::add);
            a.replacePolicies(REPRICED, outA::add);
            assertThat(a.settling()).isFalse();

            int calls = 0;
            boolean first = true;
            do {
                int before = outB.size();
                b.settle(true, outB::add);
                assertThat(++calls).as("seed " + seed + ": settle calls, 24 events 3 at a time").isLessThanOrEqualTo(24);
                assertThat(outB.subList(before, outB.size()).stream().filter(e -> e instanceof Emission.Settled s && !s.finding().code().name().equals("ORPHAN_DECISION"))
                        .map(e -> ((Emission.Settled) e).finding().eventId()).distinct()).as("seed " + seed + ", settle call " + calls).hasSizeLessThanOrEqualTo(3);
                cp.apply(b.drainChanges());
                if (first) { // between two slices, without a restart: a new price moves nothing of a closed period
                    first = false;
                    assertThat(b.settling()).isTrue();
                    b.replacePolicies(REPRICED, outB::add);
                    continue;
                }
                b = cp.restore(audit.apply(sliced)); // (with the first policies: a restart rates what is pending with the policies it reads)
                if (calls == 2) {
                    b.onDecision(lateDecision, outB::add);
                    b.onEvent(lateCopy, outB::add);
                    cp.apply(b.drainChanges());
                }
            } while (b.settling());
            assertThat(calls).as("seed " + seed).isGreaterThanOrEqualTo(8); // 24 events, 3 a call
            assertThat(b.counters().pendingEvents()).isZero();
            assertThat(b.counters().late()).isEqualTo(a.counters().late()).isEqualTo(2);
            // Late either way; its reason says what was held at the time (pruned after the whole close, pending in a slice).
            Function<Emission, String> said = e -> e instanceof Emission.Late l ? "late " + l.kind() + " " + l.id() : e.toString();
            assertThat(outB.stream().map(said).sorted().toList()).as("seed " + seed).isEqualTo(outA.stream().map(said).sorted().toList());
        }
    }

    /**
     * Settling writes the part's row with its settled-through position, not each settled event's row again (it was 55% of
     * the state topic's bytes): every event's row is written when it comes (a re-delivery counts one more), then only its
     * tombstone when it is pruned; a decision's mark is written again only when its verdict changes, not when it only turns
     * final.
     */
    @Test
    void settlingWritesThePartsPositionNotEachEventsRowAgain() {
        for (PolicyRegistry registry : List.of(GRADUATED, VOLUME)) {
            Random rnd = new Random(7);
            Data d = data(rnd);
            List<Object> arrivals = shuffledArrivals(d, rnd);
            arrivals.sort(Comparator.comparing(a -> a instanceof LiveEvent e ? e.event().eventTime() : ((DecisionRecord) a).decidedAt()));
            TestClock clock = new TestClock();
            LiveAudit live = new LiveAudit(registry, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null),
                    new LiveAudit.Settings(Duration.ofMinutes(2), Duration.ofSeconds(5)), clock, LiveAudit.Seed.NONE);
            Map<String, Integer> rowsWritten = new java.util.HashMap<>();
            List<CustomerSnapshot.PartRow> parts = new ArrayList<>();
            List<Emission> out = new ArrayList<>();
            Map<String, CustomerSnapshot.MarkRow> marks = new java.util.HashMap<>();
            java.util.function.Consumer<List<CustomerSnapshot.Changes>> count = changes -> changes.forEach(ch -> {
                ch.events().forEach((id, row) -> { if (row != null) rowsWritten.merge(id, 1, Integer::sum); });
                parts.addAll(ch.parts());
                ch.verdicts().forEach((id, row) -> {
                    CustomerSnapshot.MarkRow before = marks.put(id, row);
                    if (before != null && row != null) assertThat(row.seq()).as("a mark written again only when its verdict changed: " + id).isNotEqualTo(before.seq());
                });
            });
            for (Object x : arrivals) {
                clock.now = clock.now.plusSeconds(1);
                if (x instanceof LiveEvent e) live.onEvent(e, out::add);
                else live.onDecision((DecisionRecord) x, out::add);
                live.settle(false, out::add);
                count.accept(live.drainChanges());
            }
            clock.now = clock.now.plusSeconds(10);
            live.settle(true, out::add);
            count.accept(live.drainChanges());
            long settled = out.stream().filter(e -> e instanceof Emission.Settled).count();
            assertThat(settled).as(registry == VOLUME ? "volume" : "graduated").isPositive();
            String redelivered = d.events().get(3).eventId();
            for (LiveEvent e : d.events())
                assertThat(rowsWritten.get(e.eventId())).as(e.eventId()).isEqualTo(e.eventId().equals(redelivered) ? 2 : 1);
            assertThat(parts).anyMatch(p -> p.settledThrough() != null);
        }
    }

    /**
     * A mark keeps its verdict's content as a digest; an earlier version kept the content itself. An audit restarted after
     * every message from snapshots whose marks hold the content itself says exactly what an uninterrupted one says: the
     * restored content is digested, so no verdict is published again.
     */
    @Test
    void marksCheckpointedWithTheContentItselfRestoreAsTheirDigest() {
        for (PolicyRegistry registry : List.of(GRADUATED, VOLUME)) {
            for (int seed = 1; seed <= 10; seed++) {
                Random rnd = new Random(seed);
                Data d = data(rnd);
                List<Object> arrivals = shuffledArrivals(d, rnd);
                LiveAudit.Settings settings = new LiveAudit.Settings(Duration.ofDays(30), Duration.ofSeconds(5));
                TestClock clock = new TestClock();
                LiveAudit a = new LiveAudit(registry, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null), settings, clock,
                        LiveAudit.Seed.NONE);
                LiveAudit b = new LiveAudit(registry, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null), settings, clock,
                        LiveAudit.Seed.NONE);
                List<Emission> outA = new ArrayList<>(), outB = new ArrayList<>();
                Map<String, String> content = new java.util.HashMap<>(); // decision -> its last verdict's content, as b published it
                int seen = 0; // emissions of b already looked at
                for (Object x : arrivals) {
                    clock.now = clock.now.plusSeconds(1);
                    arrive(x, a, outA);
                    arrive(x, b, outB);
                    for (Emission e : outB.subList(seen, outB.size())) if (e instanceof Verdict v) content.put(v.decisionId(), v.content());
                    seen = outB.size();
                    LiveAudit next = new LiveAudit(registry, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null), settings, clock,
                            LiveAudit.Seed.NONE);
                    for (String c : List.of("a", "b")) {
                        CustomerSnapshot s = b.snapshot(c);
                        if (s == null) continue;
                        assertThat(s.verdicts()).allSatisfy(m -> assertThat(m.content()).hasSize(22).doesNotContain("|"));
                        List<CustomerSnapshot.MarkRow> earlier = s.verdicts().stream().map(m -> new CustomerSnapshot.MarkRow(m.decisionId(), m.eventId(),
                                m.seq(), content.get(m.decisionId()), m.provisional(), m.settled(), m.unlinked())).toList();
                        next.restore(new CustomerSnapshot(s.customerId(), s.events(), s.decisions(), s.parts(), earlier, s.maxEventTime(), s.maxDecidedAt(),
                                s.lastArrival(), s.watermark(), s.late(), s.redelivered()));
                    }
                    b = next;
                }
                clock.now = clock.now.plusSeconds(10);
                a.settle(true, outA::add);
                b.settle(true, outB::add);
                assertThat(outB).as("seed " + seed).isEqualTo(outA);
            }
        }
    }

    @Test
    void aLateEventWithinTheHoldCorrectsTheVerdictItMovesAndOneAfterTheWatermarkIsLate() {
        TestClock clock = new TestClock();
        LiveAudit live = new LiveAudit(GRADUATED, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null),
                new LiveAudit.Settings(Duration.ofMinutes(10), Duration.ofSeconds(5)), clock, LiveAudit.Seed.NONE);
        List<Emission> out = new ArrayList<>();
        Function<Integer, Instant> at = m -> T0.plusSeconds(60L * m);
        live.onEvent(new LiveEvent(new RatingEvent("e1", "a", "api", new BigDecimal("8"), at.apply(0), null, null, Map.of()), null), out::add);
        live.onEvent(new LiveEvent(new RatingEvent("e3", "a", "api", new BigDecimal("4"), at.apply(10), null, null, Map.of()), null), out::add);
        live.onDecision(new DecisionRecord("d3", "e3", "a", "api", Outcome.CHARGED, new BigDecimal("3.00"), "EUR", "p", 1, null, null, null, null,
                at.apply(10).plusSeconds(1), null), out::add);
        assertThat(out).singleElement().satisfies(v -> assertThat(((Verdict) v).status()).isEqualTo(Verdict.Status.OK));
        live.onEvent(new LiveEvent(new RatingEvent("e2", "a", "api", new BigDecimal("5"), at.apply(5), null, null, Map.of()), null), out::add);
        Verdict corrected = (Verdict) out.get(1);
        assertThat(corrected.verdictId()).isEqualTo("d3#2");
        assertThat(corrected.supersedes()).isEqualTo("d3#1");
        assertThat(corrected.codes()).containsExactly("AMOUNT_MISMATCH");
        assertThat(corrected.expectedAmount()).isEqualByComparingTo("2");

        clock.now = clock.now.plusSeconds(6);
        live.settle(true, out::add);
        assertThat(out.stream().filter(e -> e instanceof Emission.Settled).map(e -> ((Emission.Settled) e).finding().code().name()))
                .containsExactlyInAnyOrder("AMOUNT_MISMATCH", "MISSING_DECISION", "MISSING_DECISION");
        live.onEvent(new LiveEvent(new RatingEvent("e0", "a", "api", BigDecimal.ONE, at.apply(1), null, null, Map.of()), null), out::add);
        assertThat(out.get(out.size() - 1)).isInstanceOf(Emission.Late.class);
        assertThat(live.counters().late()).isEqualTo(1);
    }

    /** Policies change while streaming: a correction recorded now changes the as-corrected view of pending events only. */
    @Test
    void aCorrectionRecordedWhileStreamingMakesRetroactiveCorrectionAsInBatch() {
        TestClock clock = new TestClock();
        clock.now = Instant.parse("2026-01-10T00:30:00Z");
        PolicyRegistry v1 = new PolicyRegistry(List.of(price("p", "api", null, new Rule.Unit(new BigDecimal("2")))));
        LiveAudit live = new LiveAudit(v1, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null),
                new LiveAudit.Settings(Duration.ofMinutes(10), Duration.ofSeconds(5)), clock, LiveAudit.Seed.NONE);
        List<Emission> out = new ArrayList<>();
        live.onEvent(new LiveEvent(new RatingEvent("e1", "a", "api", new BigDecimal("3"), T0, null, null, Map.of()), null), out::add);
        live.onDecision(new DecisionRecord("d1", "e1", "a", "api", Outcome.CHARGED, new BigDecimal("6"), "EUR", "p", 1, null, null, null, null,
                T0.plusSeconds(1), null), out::add);
        assertThat(((Verdict) out.get(0)).status()).isEqualTo(Verdict.Status.OK);
        // Version 2 (price 3) for the same valid time, recorded after the decision: as-known stays 6, as-corrected is 9.
        var v2 = dev.attest.core.policy.Policies.version("p", 2, dev.attest.core.policy.Policies.JAN_2026, null, clock.now, new Rule.Unit(new BigDecimal("3")));
        var v1v = dev.attest.core.policy.Policies.version("p", 1, new Rule.Unit(new BigDecimal("2")));
        PolicyRegistry corrected = new PolicyRegistry(List.of(dev.attest.core.policy.Policies.policy("p", dev.attest.core.policy.PolicyKind.PRICE, "api", null, v1v, v2)));
        live.replacePolicies(corrected, out::add);
        Verdict after = (Verdict) out.get(1);
        assertThat(after.supersedes()).isEqualTo("d1#1");
        assertThat(after.codes()).containsExactly("RETROACTIVE_CORRECTION");
        assertThat(after.versionAsKnown()).isEqualTo("p@v1");
        assertThat(after.versionAsCorrected()).isEqualTo("p@v2");
        clock.now = clock.now.plusSeconds(6);
        live.settle(true, out::add);
        assertThat(out.stream().filter(e -> e instanceof Emission.Settled).map(e -> ((Emission.Settled) e).finding().code().name()))
                .containsExactly("RETROACTIVE_CORRECTION");
    }
    /**
     * A version written ahead of its recorded_at is unknown until the clock passes it; then the pending events are rated
     * again (as-corrected only, the decision having come before it), without any change to the policies' files.
     */
    @Test
    void aVersionRecordedAheadIsTakenInWhenTheClockPassesItsRecordedAt() {
        TestClock clock = new TestClock();
        clock.now = Instant.parse("2026-01-10T00:30:00Z");
        Instant recorded = clock.now.plusSeconds(10);
        var v1 = dev.attest.core.policy.Policies.version("p", 1, new Rule.Unit(new BigDecimal("2")));
        var v2 = dev.attest.core.policy.Policies.version("p", 2, dev.attest.core.policy.Policies.JAN_2026, null, recorded, new Rule.Unit(new BigDecimal("3")));
        PolicyRegistry both = new PolicyRegistry(List.of(dev.attest.core.policy.Policies.policy("p", dev.attest.core.policy.PolicyKind.PRICE, "api", null, v1, v2)));
        LiveAudit live = new LiveAudit(both, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null),
                new LiveAudit.Settings(Duration.ofMinutes(10), Duration.ofSeconds(5)), clock, LiveAudit.Seed.NONE);
        List<Emission> out = new ArrayList<>();
        live.onEvent(new LiveEvent(new RatingEvent("e1", "a", "api", new BigDecimal("3"), T0, null, null, Map.of()), null), out::add);
        live.onDecision(new DecisionRecord("d1", "e1", "a", "api", Outcome.CHARGED, new BigDecimal("6"), "EUR", "p", 1, null, null, null, null,
                T0.plusSeconds(1), null), out::add);
        Verdict first = (Verdict) out.get(0);
        assertThat(first.status()).isEqualTo(Verdict.Status.OK);
        assertThat(first.versionAsCorrected()).isEqualTo("p@v1"); // v2 is not known to anyone yet

        clock.now = recorded.minusMillis(1);
        live.advanceKnowledge(out::add);
        assertThat(out).hasSize(1);

        clock.now = recorded;
        live.advanceKnowledge(out::add);
        assertThat(out).hasSize(2);
        Verdict after = (Verdict) out.get(1);
        assertThat(after.supersedes()).isEqualTo("d1#1");
        assertThat(after.codes()).containsExactly("RETROACTIVE_CORRECTION");
        assertThat(after.versionAsKnown()).isEqualTo("p@v1");
        assertThat(after.versionAsCorrected()).isEqualTo("p@v2");

        clock.now = recorded.plusSeconds(1); // taken in once: nothing more is due
        live.advanceKnowledge(out::add);
        assertThat(out).hasSize(2);
    }
    /**
     * A decision whose event has not come waits for the customer's events to pass its decided_at, then gets its provisional
     * ORPHAN_DECISION verdict, across a restart too; one whose event comes meanwhile gets its own verdict and no orphan one.
     */
    @Test
    void aDecisionWithoutItsEventGetsItsOrphanVerdictOnceTheCustomersEventsPassItsDecidedAt() {
        TestClock clock = new TestClock();
        LiveAudit.Settings settings = new LiveAudit.Settings(Duration.ofMinutes(10), Duration.ofSeconds(5));
        LiveAudit live = new LiveAudit(GRADUATED, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null), settings, clock,
                LiveAudit.Seed.NONE);
        List<Emission> out = new ArrayList<>();
        Function<Integer, Instant> at = m -> T0.plusSeconds(60L * m);
        Function<String, List<Verdict>> verdictsOf = id -> out.stream().filter(e -> e instanceof Verdict v && v.decisionId().equals(id))
                .map(e -> (Verdict) e).toList();
        java.util.function.BiConsumer<String, Integer> event = (id, minute) ->
                live.onEvent(new LiveEvent(new RatingEvent(id, "a", "api", BigDecimal.ONE, at.apply(minute), null, null, Map.of()), null), out::add);
        java.util.function.BiFunction<String, String, DecisionRecord> decision = (id, eventId) -> new DecisionRecord(id, eventId, "a", "api",
                Outcome.CHARGED, BigDecimal.ONE, "EUR", "p", 1, null, null, null, null, at.apply(5), null);

        event.accept("e1", 0);
        live.onDecision(decision.apply("orphan", "nope"), out::add);
        live.onDecision(decision.apply("early", "e4"), out::add); // its event comes later, before decided_at is passed
        event.accept("e2", 2);
        assertThat(verdictsOf.apply("orphan")).as("the customer's events are before its decided_at").isEmpty();
        event.accept("e4", 1);
        assertThat(verdictsOf.apply("early")).singleElement().satisfies(v -> assertThat(v.codes()).doesNotContain("ORPHAN_DECISION"));

        LiveAudit next = restart(live, GRADUATED, settings, clock); // the waiting decision is carried by the checkpoint
        next.onEvent(new LiveEvent(new RatingEvent("e3", "a", "api", BigDecimal.ONE, at.apply(5), null, null, Map.of()), null), out::add);
        assertThat(verdictsOf.apply("orphan")).singleElement().satisfies(v -> {
            assertThat(v.codes()).containsExactly("ORPHAN_DECISION");
            assertThat(v.status()).isEqualTo(Verdict.Status.PROVISIONAL);
        });
        assertThat(verdictsOf.apply("early")).hasSize(1);
    }

    /**
     * Events that come after part of their period settled go among the events still pending, in order: the settled
     * findings are those of the same inputs settled only at the end (a stale pending list would put them elsewhere).
     */
    @Test
    void anEventAfterASettleGoesAmongThoseStillPendingInOrder() {
        Function<Integer, Instant> at = m -> T0.plusSeconds(60L * m);
        List<String> settledA = settledAfter(true, at), settledB = settledAfter(false, at);
        assertThat(settledA).isNotEmpty().containsExactlyInAnyOrderElementsOf(settledB);
    }

    /** The settled findings (code, event, expected amount) of ten events, and of two more that come late within the hold. */
    private static List<String> settledAfter(boolean settleBetween, Function<Integer, Instant> at) {
        TestClock clock = new TestClock();
        // The tier boundary (30 units) falls among the late events: their order decides which of them is charged 1 or 0.5.
        PolicyRegistry graduated30 = new PolicyRegistry(List.of(price("p", "api", null, new Rule.Graduated(tiers("30", "1", null, "0.5")))));
        LiveAudit live = new LiveAudit(graduated30, BillingCycles.calendarMonths(), new Reconciler.Params(BigDecimal.ZERO, null),
                new LiveAudit.Settings(Duration.ofMinutes(30), Duration.ofSeconds(5)), clock, LiveAudit.Seed.NONE);
        List<Emission> out = new ArrayList<>();
        java.util.function.BiConsumer<String, Integer> feed = (id, minute) -> {
            live.onEvent(new LiveEvent(new RatingEvent(id, "a", "api", new BigDecimal("3"), at.apply(minute), null, null, Map.of()), null), out::add);
            live.onDecision(new DecisionRecord("d-" + id, id, "a", "api", Outcome.CHARGED, new BigDecimal("3"), "EUR", "p", 1, null, null, null,
                    null, at.apply(minute).plusSeconds(1), null), out::add);
        };
        for (int k = 0; k < 10; k++) feed.accept("e" + k, 10 * k);
        if (settleBetween) live.settle(false, out::add); // the watermark is minute 60: e0..e5 settle
        feed.accept("x1", 75); // between e7 and e8, after the watermark
        feed.accept("x2", 65);
        clock.now = clock.now.plusSeconds(3600);
        live.settle(true, out::add);
        return out.stream().filter(e -> e instanceof Emission.Settled).map(e -> ((Emission.Settled) e).finding())
                .map(f -> f.code() + " " + f.eventId() + " " + (f.expectedAmount() == null ? "-" : f.expectedAmount().stripTrailingZeros().toPlainString()))
                .toList();
    }
}
