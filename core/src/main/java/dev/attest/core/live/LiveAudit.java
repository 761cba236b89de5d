package dev.attest.core.live;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.findings.Finding;
import dev.attest.core.findings.FindingCode;
import dev.attest.core.findings.Reconciler;
import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Rule;
import dev.attest.core.policy.VersionRef;
import dev.attest.core.rating.BillingCycles;
import dev.attest.core.rating.BillingPeriod;
import dev.attest.core.rating.ExpectedEvent;
import dev.attest.core.rating.Expectation;
import dev.attest.core.rating.PeriodRater;
import dev.attest.core.rating.PeriodState;
import dev.attest.core.rating.RatingEvent;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A live audit (issue 17): events and decisions arrive one at a time and out of order; each decision is joined with its
 * event and checked by the batch audit's own fold ({@link PeriodRater#steps}) and finding rules ({@link Reconciler}), in
 * both knowledge views. Pure and single-threaded: time comes from the {@link Clock} given, output goes to the consumer
 * given, and the state of each customer can be taken ({@link #snapshot}) and put back ({@link #restore}) whole, which is
 * what a stream checkpoints.
 *
 * <p>Watermark: per (customer, meter, billing period) partition, {@code min(latest event_time of the partition, latest
 * decided_at of the customer) - hold}; both inputs must have moved on, because events and decisions come on two topics
 * read at their own pace. A partition that received nothing for {@code idle} of wall-clock time, while the reader has
 * caught up, moves to {@code now - hold}. Events before the watermark are settled: their findings are final and
 * published once, their decisions get a final verdict when the last one was provisional, and they are folded into the
 * partition's start state. A volume-priced partition settles only when the watermark passes the period's end (its total
 * moves every amount). Data for a settled event or behind the watermark is late: counted, flagged, left to the nightly
 * audit.
 */
public final class LiveAudit {
    /**
     * @param hold       how long (event time) to wait for late data
     * @param idle       wall-clock quiet after which an idle partition follows the clock
     * @param closeSlice at most this many events of closed volume periods settle per {@link #settle} call: a month's close
     *                   of every customer at once held a stream's verdicts back for hundreds of milliseconds
     */
    public record Settings(Duration hold, Duration idle, int closeSlice) {
        /** Per settle call; at about 20 µs of output per settled event, a few milliseconds. */
        public static final int CLOSE_SLICE = 256;

        public Settings {
            if (hold == null || hold.isNegative()) throw new IllegalArgumentException("the hold is a duration >= 0");
            if (idle == null || idle.isNegative()) throw new IllegalArgumentException("the idle time is a duration >= 0");
            if (closeSlice < 1) throw new IllegalArgumentException("the close slice is at least 1 event, not " + closeSlice);
        }

        public Settings(Duration hold, Duration idle) {
            this(hold, idle, CLOSE_SLICE);
        }
    }

    /** The nightly audit's carried states: where partitions start, and the instant before which the nightly covered everything. */
    /**
     * @param eventsBefore per customer, the ids of events before {@code through} (the nightly's): a decision that comes
     *                     later for one of them is the nightly audit's (late), not an orphan
     */
    public record Seed(Instant through, Map<SeedKey, PeriodState> states, Map<String, Set<String>> eventsBefore) {
        public static final Seed NONE = new Seed(null, Map.of(), Map.of());

        public Seed {
            states = Map.copyOf(states);
            eventsBefore = Map.copyOf(eventsBefore);
            if (through == null && (!states.isEmpty() || !eventsBefore.isEmpty()))
                throw new IllegalArgumentException("carried states need the instant they were taken at");
        }

        boolean before(String customer, String eventId) {
            Set<String> ids = eventsBefore.get(customer);
            return ids != null && ids.contains(eventId);
        }
    }

    public record SeedKey(String customerId, String meter, Instant periodStart) {}

    /** Totals over every customer: data later than the hold, and identical re-deliveries. */
    public record Counters(long late, long redelivered, long customers, long pendingEvents) {}

    /** The order in which a part's settled events are pruned: event_time (a conflict's earliest), then event_id. */
    private static final Comparator<Slot> SETTLED_ORDER = (a, b) -> {
        int t = a.eventTime().compareTo(b.eventTime());
        return t != 0 ? t : a.first.eventId().compareTo(b.first.eventId());
    };

    private static final Comparator<RatingEvent> ORDER = (a, b) -> {
        int c = a.eventTime().compareTo(b.eventTime());
        return c != 0 ? c : PeriodRater.compareEventIds(a.eventId(), b.eventId());
    };

    private PolicyRegistry registry;
    private Reconciler reconciler;
    private final BillingCycles cycles;
    private final Reconciler.Params params;
    private final Settings settings;
    private final Clock clock;
    private final Seed seed;
    private final Map<String, CustomerState> customers = new HashMap<>();
    private final Set<String> dirty = new LinkedHashSet<>();
    /** Volume parts whose period closed and whose pending events still settle, a slice per {@link #settle} call. */
    private final Set<Part> closing = new LinkedHashSet<>();
    private int sliceLeft; // of this settle call's close slice

    public LiveAudit(PolicyRegistry registry, BillingCycles cycles, Reconciler.Params params, Settings settings, Clock clock, Seed seed) {
        if (registry == null || cycles == null || params == null || settings == null || clock == null || seed == null)
            throw new IllegalArgumentException("registry, cycles, params, settings, clock and seed are required");
        this.registry = registry;
        this.reconciler = new Reconciler(registry, params);
        this.cycles = cycles;
        this.params = params;
        this.settings = settings;
        this.clock = clock;
        this.seed = seed;
        this.nextRecordedAt = nextRecordedAt(registry, clock.instant());
    }

    // ---- input ----

    public void onEvent(LiveEvent in, Consumer<Emission> out) {
        RatingEvent e = in.event();
        CustomerState c = customer(e.customerId());
        Instant now = clock.instant();
        c.lastArrival = now;
        Part p = c.part(e.meter(), periodOf(e.customerId(), e.eventTime()));
        p.lastArrival = now;
        Slot s = c.events.get(e.eventId());
        if (s != null) {
            if (in.sameContent(s.first)) { // a re-delivery: one event (contracts section 1)
                s.rows++;
                eventChanged(c, e.eventId());
                c.redelivered++;
                return;
            }
            if (settled(c, s)) {
                late(c, out, "event", e.eventId(), e.eventTime(), p.watermark, "a conflicting copy of event " + e.eventId() + " came after the event settled");
                return;
            }
            s.rows++;
            eventChanged(c, e.eventId());
            if (s.variants.stream().noneMatch(in::sameContent)) s.variants.add(in);
            if (s.state == SlotState.PENDING) { // the event is no longer rated; its period's other events are re-rated without it
                s.state = SlotState.CONFLICT;
                c.conflicted.add(s.first.eventId());
                Part home = c.parts.get(s.partKey);
                int i = pendingIndex(c, home, s);
                ensureRated(c, home);
                home.removePending(i);
                home.expected.remove(i);
                home.after.remove(i);
                home.totals.remove(i);
                refold(c, home, i, out);
                conflictVerdicts(c, s, out);
            }
            return;
        }
        if (p.watermark != null && e.eventTime().isBefore(p.watermark)) {
            late(c, out, "event", e.eventId(), e.eventTime(), p.watermark, "event_time " + e.eventTime() + " is before the partition's watermark "
                    + p.watermark + " (later than the hold)");
            return;
        }
        s = new Slot(in, p.key);
        c.events.put(e.eventId(), s);
        eventChanged(c, e.eventId());
        if (p.maxEventTime == null || e.eventTime().isAfter(p.maxEventTime)) p.maxEventTime = e.eventTime();
        c.waiting.remove(e.eventId());
        if (c.maxEventTime == null || e.eventTime().isAfter(c.maxEventTime)) {
            c.maxEventTime = e.eventTime();
            releaseWaiting(c, out);
        }
        ensureRated(c, p);
        int i = insertionPoint(p, e);
        p.addPending(i, e);
        p.expected.add(i, null);
        p.after.add(i, null);
        p.totals.add(i, null);
        refold(c, p, i, out);
    }

    public void onDecision(DecisionRecord d, Consumer<Emission> out) {
        if (d.customerId() == null) throw new IllegalArgumentException("a live decision needs its customer_id (its key)");
        CustomerState c = customer(d.customerId());
        Instant now = clock.instant();
        c.lastArrival = now;
        if (c.maxDecidedAt == null || d.decidedAt().isAfter(c.maxDecidedAt)) c.maxDecidedAt = d.decidedAt();
        if (seed.through() != null && d.decidedAt().isBefore(seed.through())) { // the nightly audit's, as batch's window says
            late(c, out, "decision", d.decisionId(), d.decidedAt(), seed.through(), "decided_at " + d.decidedAt()
                    + " is before the nightly state's instant " + seed.through() + " (the nightly audit's)");
            return;
        }
        if (d.eventId() == null) { // UNLINKED_DECISION needs nothing else: final at once
            if (c.verdicts.containsKey(d.decisionId())) {
                c.redelivered++;
                return;
            }
            Finding f = reconciler.unlinked(d);
            out.accept(settled(f, d.customerId()));
            offer(c, linkVerdict(d, f, false), out);
            c.verdicts.get(d.decisionId()).unlinked = true;
            markChanged(c, d.decisionId());
            return;
        }
        List<DecisionRecord> ds = c.decisions.computeIfAbsent(d.eventId(), k -> new ArrayList<>());
        if (ds.stream().anyMatch(x -> x.decisionId().equals(d.decisionId()))) {
            c.redelivered++;
            return;
        }
        Slot s = c.events.get(d.eventId());
        if (s == null && seed.before(c.customerId, d.eventId())) {
            if (ds.isEmpty()) c.decisions.remove(d.eventId());
            late(c, out, "decision", d.decisionId(), d.decidedAt(), seed.through(), "event " + d.eventId()
                    + " is before the nightly state's instant " + seed.through() + " (the nightly audit's)");
            return;
        }
        if (s == null) {
            Instant w = c.watermark;
            if (w != null && d.decidedAt().isBefore(w)) {
                if (ds.isEmpty()) c.decisions.remove(d.eventId());
                late(c, out, "decision", d.decisionId(), d.decidedAt(), w, "decided_at " + d.decidedAt() + " is before the customer's watermark " + w
                        + " and event " + d.eventId() + " is not held (later than the hold)");
                return;
            }
            ds.add(d); // an orphan until its event comes within the hold
            decisionsChanged(c, d.eventId());
            c.waiting.add(d.eventId());
            // Its event is most likely just not read yet when the customer's events are behind its decided_at (the two
            // topics are read at their own pace): its first verdict waits for them, instead of a provisional orphan
            // verdict superseded a moment later.
            if (c.maxEventTime != null && !c.maxEventTime.isBefore(d.decidedAt())) offer(c, linkVerdict(d, reconciler.orphan(d), true), out);
            else c.unreleased.add(new Unreleased(d.decidedAt(), d.eventId()));
            return;
        }
        if (settled(c, s)) {
            if (ds.isEmpty()) c.decisions.remove(d.eventId());
            late(c, out, "decision", d.decisionId(), d.decidedAt(), c.parts.get(s.partKey).watermark,
                    "event " + d.eventId() + " settled before this decision came (later than the hold)");
            return;
        }
        Instant knownBefore = knownAt(ds);
        ds.add(d);
        decisionsChanged(c, d.eventId());
        Part p = c.parts.get(s.partKey);
        p.lastArrival = now;
        if (s.state == SlotState.CONFLICT) {
            conflictVerdicts(c, s, out);
            return;
        }
        ensureRated(c, p);
        int i = pendingIndex(c, p, s);
        if (knownBefore != null && !d.decidedAt().isBefore(knownBefore)) verdicts(c, p, i, false, out); // knowledge time unchanged
        else refoldEvent(c, p, i, out);
    }

    /**
     * Settled, or pending in a volume period that closed (its slices still to go): data for it is late, as when the whole
     * period settled at once.
     */
    private static boolean settled(CustomerState c, Slot s) {
        return s.state == SlotState.SETTLED || s.state == SlotState.PENDING && closed(c.parts.get(s.partKey));
    }

    /** A volume part whose watermark passed its period's end: what is pending in it is settling, a slice at a time. */
    private static boolean closed(Part p) {
        return p.volume && p.watermark != null && !p.watermark.isBefore(p.period.end());
    }

    /** Decisions without their event get their provisional orphan verdict once the customer's events passed their decided_at. */
    private void releaseWaiting(CustomerState c, Consumer<Emission> out) {
        // Only the decisions that came without a verdict can be due, earliest decided_at first: it used to look at every
        // waiting decision at every event that moved the customer's time, a fifth of the stream thread at 10,000/s.
        java.util.TreeSet<String> due = null; // made only when one is due: this runs at every event
        while (!c.unreleased.isEmpty() && !c.unreleased.peek().decidedAt().isAfter(c.maxEventTime)) {
            String eventId = c.unreleased.poll().eventId();
            if (!c.waiting.contains(eventId)) continue; // its event came meanwhile, or its decisions went: nothing to do
            if (due == null) due = new java.util.TreeSet<>();
            due.add(eventId);
        }
        if (due == null) return;
        for (String eventId : due)
            for (DecisionRecord d : c.decisions.getOrDefault(eventId, List.of()))
                if (!c.verdicts.containsKey(d.decisionId()) && !c.maxEventTime.isBefore(d.decidedAt()))
                    offer(c, linkVerdict(d, reconciler.orphan(d), true), out);
    }

    /** A new policy registry (the policies path changed): every pending event is rated again, in both views. */
    public void replacePolicies(PolicyRegistry next, Consumer<Emission> out) {
        this.registry = next;
        this.reconciler = new Reconciler(next, params);
        this.nextRecordedAt = nextRecordedAt(next, clock.instant());
        for (CustomerState c : customers.values()) {
            for (Part p : c.parts.values()) {
                if (p.pending.isEmpty() || closed(p)) continue; // a closed period's events are as the close rated them
                p.expected = null;
                ensureRated(c, p);
                refold(c, p, 0, out, true);
            }
        }
    }

    /**
     * The clock passed the recorded_at of a version that was not yet known when the pending events were rated (a change
     * written ahead of its time): that version is known from now on, so every pending event is rated again at this
     * cut-off, as when the policies change. Without it, events rated before that instant would keep their earlier view
     * until something else rated them again. Cheap when nothing is due: one comparison.
     */
    public void advanceKnowledge(Consumer<Emission> out) {
        if (nextRecordedAt == null || clock.instant().isBefore(nextRecordedAt)) return;
        replacePolicies(registry, out);
    }

    /** The earliest recorded_at after {@code now} among the registry's versions, or null when none is still to come. */
    private static Instant nextRecordedAt(PolicyRegistry registry, Instant now) {
        Instant next = null;
        for (Policy p : registry.policies())
            for (PolicyVersion v : p.versions())
                if (v.recordedAt().isAfter(now) && (next == null || v.recordedAt().isBefore(next))) next = v.recordedAt();
        return next;
    }

    private Instant nextRecordedAt; // null: no version of the registry is recorded in the future

    /**
     * Moves watermarks and settles what is behind them. {@code caughtUp}: the reader has read everything there is, so a
     * partition that received nothing for the idle time is idle indeed (not waiting behind a backlog).
     */
    public void settle(boolean caughtUp, Consumer<Emission> out) {
        Instant now = clock.instant();
        Instant wallMark = now.minus(settings.hold());
        sliceLeft = settings.closeSlice();
        for (CustomerState c : customers.values()) {
            boolean changed = false;
            Instant cw = max(c.watermark, seed.through());
            if (c.maxEventTime != null && c.maxDecidedAt != null) cw = max(cw, min(c.maxEventTime, c.maxDecidedAt).minus(settings.hold()));
            if (caughtUp && c.lastArrival != null && !now.isBefore(c.lastArrival.plus(settings.idle()))) cw = max(cw, wallMark);
            boolean moved = cw != null && !cw.equals(c.watermark);
            c.watermark = cw;
            for (Part p : c.parts.values()) {
                Instant w = p.watermark;
                if (p.maxEventTime != null && c.maxDecidedAt != null) w = max(w, min(p.maxEventTime, c.maxDecidedAt).minus(settings.hold()));
                if (caughtUp && p.lastArrival != null && !now.isBefore(p.lastArrival.plus(settings.idle()))) w = max(w, wallMark);
                if (w == null || w.equals(p.watermark)) {
                    if (sliceLeft > 0 && closing.contains(p)) { // the next slice of a closed volume period
                        moved = true;
                        changed |= settlePart(c, p, out);
                    }
                    continue;
                }
                p.watermark = w;
                moved = true;
                changed |= settlePart(c, p, out);
            }
            if (!moved) continue;
            changed |= settleConflictsAndOrphans(c, out);
            changed |= prune(c);
            // A watermark that moved and settled nothing is not worth a checkpoint: after a restart it follows again from
            // the same arrivals and clock.
            if (changed) dirty.add(c.customerId);
        }
    }

    /** Whether a closed volume period still has events to settle: the next {@link #settle} call takes another slice. */
    public boolean settling() {
        return !closing.isEmpty();
    }

    /** Whether any customer's state changed since the last drain (what a checkpoint would write). */
    public boolean hasChanges() {
        return !dirty.isEmpty();
    }

    /** Customers whose state changed since the last call: what a checkpoint writes. */
    public Set<String> drainDirty() {
        Set<String> d = new LinkedHashSet<>(dirty);
        for (String id : dirty) {
            CustomerState c = customers.get(id);
            if (c != null) c.forgetChanges();
        }
        dirty.clear();
        return d;
    }

    /**
     * What changed since the last drain, per customer whose state changed: its head always, and the rows that changed
     * (a null row: gone). Writing these, keyed per row, checkpoints the same state as {@link #snapshot} of those customers.
     */
    public List<CustomerSnapshot.Changes> drainChanges() {
        List<CustomerSnapshot.Changes> out = new ArrayList<>(dirty.size());
        for (String id : dirty) {
            CustomerState c = customers.get(id);
            if (c == null) continue;
            Map<String, CustomerSnapshot.EventRow> events = new LinkedHashMap<>();
            for (String e : c.changedEvents) {
                Slot s = c.events.get(e);
                events.put(e, s == null ? null : eventRow(s));
            }
            Map<String, List<DecisionRecord>> decisions = new LinkedHashMap<>();
            for (String e : c.changedDecisions) {
                List<DecisionRecord> ds = c.decisions.get(e);
                decisions.put(e, ds == null || ds.isEmpty() ? null : List.copyOf(ds));
            }
            // Parts are few per customer and change with every message (arrival, watermark): compared, not tracked.
            List<CustomerSnapshot.PartRow> parts = new ArrayList<>();
            for (Part p : c.parts.values()) {
                CustomerSnapshot.PartRow row = partRow(p, List.of());
                if (row.equals(p.written)) continue;
                parts.add(row);
                p.written = row;
            }
            Map<String, CustomerSnapshot.MarkRow> marks = new LinkedHashMap<>();
            for (String d : c.changedMarks) {
                Mark m = c.verdicts.get(d);
                marks.put(d, m == null ? null : markRow(d, m));
            }
            out.add(new CustomerSnapshot.Changes(head(c), events, decisions, parts, marks));
            c.forgetChanges();
        }
        dirty.clear();
        return out;
    }

    private void eventChanged(CustomerState c, String eventId) {
        c.changedEvents.add(eventId);
        dirty.add(c.customerId);
    }

    private void decisionsChanged(CustomerState c, String eventId) {
        c.changedDecisions.add(eventId);
        dirty.add(c.customerId);
    }

    private void markChanged(CustomerState c, String decisionId) {
        c.changedMarks.add(decisionId);
        dirty.add(c.customerId);
    }

    private static CustomerSnapshot.EventRow eventRow(Slot s) {
        return new CustomerSnapshot.EventRow(s.first, s.state.name(), s.rows, List.copyOf(s.variants), s.partKey.meter(), s.partKey.periodStart());
    }

    private static CustomerSnapshot.PartRow partRow(Part p, List<String> pending) {
        return new CustomerSnapshot.PartRow(p.key.meter(), p.key.periodStart(), p.seed, p.watermark, p.maxEventTime, p.lastArrival, pending, p.volume,
                p.settledThrough);
    }

    private static CustomerSnapshot.MarkRow markRow(String decisionId, Mark m) {
        return new CustomerSnapshot.MarkRow(decisionId, m.eventId, m.seq, m.content, m.provisional, m.settled, m.unlinked);
    }

    private static CustomerSnapshot head(CustomerState c) {
        return new CustomerSnapshot(c.customerId, List.of(), List.of(), List.of(), List.of(), c.maxEventTime, c.maxDecidedAt, c.lastArrival, c.watermark,
                c.late, c.redelivered);
    }

    public Counters counters() {
        long late = 0, re = 0, pending = 0;
        for (CustomerState c : customers.values()) {
            late += c.late;
            re += c.redelivered;
            for (Part p : c.parts.values()) pending += p.pending.size();
        }
        return new Counters(late, re, customers.size(), pending);
    }

    // ---- checkpoint ----

    /** The whole state of one customer, as plain records (a stream writes it beside the verdicts, in one transaction). */
    public CustomerSnapshot snapshot(String customerId) {
        CustomerState c = customers.get(customerId);
        if (c == null) return null;
        List<CustomerSnapshot.EventRow> events = new ArrayList<>();
        for (Slot s : c.events.values()) events.add(eventRow(s));
        events.sort(Comparator.comparing(r -> r.first().eventId()));
        // By event, each event's decisions in arrival order: the order its verdicts come in, kept across a restart.
        List<DecisionRecord> decisions = new ArrayList<>();
        new TreeMap<>(c.decisions).values().forEach(decisions::addAll);
        List<CustomerSnapshot.PartRow> parts = new ArrayList<>();
        for (Part p : c.parts.values()) parts.add(partRow(p, p.pendingIds()));
        List<CustomerSnapshot.MarkRow> marks = new ArrayList<>();
        c.verdicts.forEach((id, m) -> marks.add(markRow(id, m)));
        marks.sort(Comparator.comparing(CustomerSnapshot.MarkRow::decisionId));
        return new CustomerSnapshot(customerId, events, decisions, parts, marks, c.maxEventTime, c.maxDecidedAt, c.lastArrival, c.watermark,
                c.late, c.redelivered);
    }

    /** Puts back a customer's state from its snapshot; expectations are rated again on first use (same registry, same result). */
    public void restore(CustomerSnapshot s) {
        CustomerState was = customers.get(s.customerId());
        if (was != null) closing.removeAll(was.parts.values());
        CustomerState c = new CustomerState(s.customerId());
        for (CustomerSnapshot.PartRow r : s.parts()) {
            PartKey key = new PartKey(r.meter(), r.periodStart());
            Part p = new Part(key, periodOf(s.customerId(), r.periodStart()), r.seed());
            p.watermark = r.watermark();
            p.maxEventTime = r.maxEventTime();
            p.lastArrival = r.lastArrival();
            p.volume = r.volume();
            p.settledThrough = r.settledThrough();
            p.expected = null;
            p.written = partRow(p, List.of());
            c.parts.put(key, p);
        }
        for (CustomerSnapshot.EventRow r : s.events()) {
            Slot slot = new Slot(r.first(), new PartKey(r.meter(), r.periodStart()));
            slot.state = SlotState.valueOf(r.state());
            if (slot.state == SlotState.CONFLICT) c.conflicted.add(r.first().eventId());
            if (slot.state == SlotState.SETTLED) {
                Part p = c.parts.get(slot.partKey);
                if (p == null) throw new IllegalArgumentException("checkpoint of " + s.customerId() + ": event " + r.first().eventId() + " names no part");
                p.settled.add(slot);
            }
            slot.rows = r.rows();
            slot.variants.clear();
            slot.variants.addAll(r.variants());
            c.events.put(r.first().eventId(), slot);
        }
        // A part's pending list is its pending events in (event_time, event_id) order: an incremental checkpoint does not write it.
        List<Slot> pending = new ArrayList<>();
        for (Slot slot : c.events.values()) if (slot.state == SlotState.PENDING) pending.add(slot);
        pending.sort((a, b) -> ORDER.compare(a.first.event(), b.first.event()));
        for (Slot slot : pending) {
            Part p = c.parts.get(slot.partKey);
            if (p == null) throw new IllegalArgumentException("checkpoint of " + s.customerId() + ": event " + slot.first.eventId() + " names no part");
            p.addPending(p.pending.size(), slot.first.event());
        }
        for (Part p : c.parts.values()) if (closed(p) && !p.pending.isEmpty()) closing.add(p); // its close goes on
        for (CustomerSnapshot.PartRow r : s.parts())
            if (!r.pending().isEmpty() && !r.pending().equals(c.parts.get(new PartKey(r.meter(), r.periodStart())).pendingIds()))
                throw new IllegalArgumentException("checkpoint of " + s.customerId() + ": the pending list of " + r.meter() + " " + r.periodStart()
                        + " is not its pending events");
        for (DecisionRecord d : s.decisions()) {
            c.decisions.computeIfAbsent(d.eventId(), k -> new ArrayList<>()).add(d);
            if (!c.events.containsKey(d.eventId())) c.waiting.add(d.eventId());
        }
        for (CustomerSnapshot.MarkRow m : s.verdicts()) {
            // An earlier version kept the content itself ('|'-separated): its digest compares with the verdicts to come.
            String content = m.content().indexOf('|') >= 0 ? contentDigest(m.content()) : m.content();
            Mark mark = new Mark(m.eventId(), m.seq(), content, m.provisional(), m.settled());
            mark.unlinked = m.unlinked();
            c.verdicts.put(m.decisionId(), mark);
        }
        c.maxEventTime = s.maxEventTime();
        c.maxDecidedAt = s.maxDecidedAt();
        c.lastArrival = s.lastArrival();
        c.watermark = s.watermark();
        c.late = s.late();
        c.redelivered = s.redelivered();
        for (String eventId : c.waiting)
            for (DecisionRecord d : c.decisions.getOrDefault(eventId, List.of()))
                if (!c.verdicts.containsKey(d.decisionId())) c.unreleased.add(new Unreleased(d.decidedAt(), eventId));
        customers.put(s.customerId(), c);
    }

    // ---- the fold ----

    private BillingPeriod periodOf(String customer, Instant t) {
        return cycles.of(customer).periodOf(t);
    }

    private CustomerState customer(String id) {
        dirty.add(id);
        return customers.computeIfAbsent(id, CustomerState::new);
    }

    /** As the batch audit rates (RatePass): without the computation text, so findings explain themselves in the same words. */
    private PeriodRater rater() {
        return new PeriodRater(registry, clock.instant(), false, cycles);
    }

    /** The event as the rater sees it: its knowledge time is the earliest decided_at of its decisions (contracts section 9). */
    private RatingEvent rating(CustomerState c, String eventId) {
        RatingEvent e = c.events.get(eventId).first.event();
        Instant k = knownAt(c.decisions.get(eventId));
        return k == null ? e : new RatingEvent(e.eventId(), e.customerId(), e.meter(), e.quantity(), e.eventTime(), k, e.value(), e.dimensions());
    }

    private static Instant knownAt(List<DecisionRecord> ds) {
        Instant k = null;
        if (ds != null) for (DecisionRecord d : ds) if (k == null || d.decidedAt().isBefore(k)) k = d.decidedAt();
        return k;
    }

    private int insertionPoint(Part p, RatingEvent e) {
        int lo = 0, hi = p.pending.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ORDER.compare(p.pending.get(mid), e) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** Where pending event {@code s} is in its part's pending list: found by its order, not by a scan of the list. */
    private int pendingIndex(CustomerState c, Part p, Slot s) {
        int i = insertionPoint(p, s.first.event());
        if (i == p.pending.size() || !p.pendingId(i).equals(s.first.eventId()))
            throw new IllegalStateException("event " + s.first.eventId() + " of customer " + c.customerId + " is not in its part's pending list");
        return i;
    }

    /** Expectations of every pending event (after a restore or a policy change they are rated again). */
    private void ensureRated(CustomerState c, Part p) {
        if (p.expected != null) return;
        p.expected = new ArrayList<>();
        p.after = new ArrayList<>();
        p.totals = new ArrayList<>();
        if (p.pending.isEmpty()) return;
        PeriodRater.Steps st = rater().steps(p.pending.stream().map(e -> rating(c, e.eventId())).toList(), p.seed);
        p.expected.addAll(st.expected());
        p.after.addAll(st.after());
        p.totals.addAll(java.util.Collections.nCopies(st.after().size(), lastTotal(st.after())));
    }

    /** Rates the partition again from pending index {@code from} on, and gives the decisions of those events their verdicts (null {@code out}: none). */
    private void refold(CustomerState c, Part p, int from, Consumer<Emission> out) {
        refold(c, p, from, out, false);
    }

    /**
     * As above; {@code all}: every event from {@code from} on gets its verdicts judged again. Otherwise the event at
     * {@code from} does, and an event after it only when its expectation changed: its decisions did not, so an unchanged
     * expectation gives the verdict it has (an out-of-order event under a unit price moves no later amount).
     */
    private void refold(CustomerState c, Part p, int from, Consumer<Emission> out, boolean all) {
        // A volume part's period total moves every amount of the period, but its earlier events' states do not move: they
        // are rated again with the new total when their expectation is asked for (expectation), not here at every arrival.
        int n = p.pending.size();
        boolean[] same = new boolean[Math.max(0, n - from)];
        if (from < n) {
            List<RatingEvent> evs = new ArrayList<>(n - from);
            for (int i = from; i < n; i++) evs.add(rating(c, p.pendingId(i)));
            PeriodState start = from == 0 ? p.seed : p.after.get(from - 1);
            PeriodRater.Steps st = rater().steps(evs, start);
            BigDecimal total = lastTotal(st.after());
            for (int i = from; i < n; i++) {
                ExpectedEvent x = st.expected().get(i - from);
                same[i - from] = sameVerdict(x, p.expected.get(i));
                p.expected.set(i, x);
                p.after.set(i, st.after().get(i - from));
                p.totals.set(i, total);
            }
            if (!p.volume && st.expected().stream().anyMatch(this::volumePriced)) {
                p.volume = true;
                if (from > 0) {
                    refold(c, p, 0, out, true);
                    return;
                }
            }
        }
        if (out != null)
            for (int i = from; i < n; i++) if (i == from || all || p.volume || !same[i - from]) verdicts(c, p, i, false, out);
    }

    /**
     * Rates pending event {@code i} again after its knowledge time moved. An event's expectation follows from the fold's
     * state before it: when the state after it is what it was, the events after it rate as they did and keep their
     * expectations and verdicts (a decision then costs one event, not the rest of the period). Otherwise, or for a volume
     * part, the partition is folded again from {@code i} as for an arrival.
     */
    private void refoldEvent(CustomerState c, Part p, int i, Consumer<Emission> out) {
        PeriodState before = i == 0 ? p.seed : p.after.get(i - 1), was = p.after.get(i);
        if (was == null || before == null) {
            refold(c, p, i, out);
            return;
        }
        // Volume's total T is the as-corrected quantity after the period's last event, which a knowledge time does not move.
        BigDecimal total = p.volume ? volumeTotal(p) : null;
        PeriodRater.Steps st = rater().steps(List.of(rating(c, p.pendingId(i))), before, total);
        if (!st.after().get(0).equals(was) || !p.volume && volumePriced(st.expected().get(0))) {
            refold(c, p, i, out);
            return;
        }
        p.expected.set(i, st.expected().get(0));
        p.totals.set(i, total);
        verdicts(c, p, i, false, out);
    }

    /**
     * Pending event {@code i}'s expectation. In a volume part it was rated with the period total of its time: when the total
     * has moved since, it is rated again from the state before it with the current total, which is what folding the whole
     * period again would give it, at the cost of one event.
     */
    private ExpectedEvent expectation(CustomerState c, Part p, int i) {
        ExpectedEvent x = p.expected.get(i);
        if (!p.volume) return x;
        BigDecimal total = volumeTotal(p);
        if (total.equals(p.totals.get(i))) return x;
        PeriodState before = i == 0 ? p.seed : p.after.get(i - 1);
        x = rater().steps(List.of(rating(c, p.pendingId(i))), before, total).expected().get(0);
        p.expected.set(i, x);
        p.totals.set(i, total);
        return x;
    }

    /** A volume part's period total T: the as-corrected quantity after its last pending event (the seed's when none). */
    private static BigDecimal volumeTotal(Part p) {
        return p.after.isEmpty() ? p.seed.correctedBefore() : p.after.get(p.after.size() - 1).correctedBefore();
    }

    private static BigDecimal lastTotal(List<PeriodState> after) {
        return after.isEmpty() ? null : after.get(after.size() - 1).correctedBefore();
    }

    /**
     * Equal but for the quantity used before the event ({@code before}, which only an explanation quotes): such an
     * expectation gives the same verdict content, so judging it again would publish nothing.
     */
    private static boolean sameVerdict(ExpectedEvent a, ExpectedEvent b) {
        return b != null && a.event().equals(b.event()) && sameVerdict(a.asKnown(), b.asKnown()) && sameVerdict(a.asCorrected(), b.asCorrected());
    }

    private static boolean sameVerdict(Expectation a, Expectation b) {
        return a == b || a.outcome() == b.outcome() && java.util.Objects.equals(a.amount(), b.amount()) && a.status() == b.status()
                && java.util.Objects.equals(a.price(), b.price()) && java.util.Objects.equals(a.discount(), b.discount())
                && java.util.Objects.equals(a.entitlement(), b.entitlement()) && java.util.Objects.equals(a.currency(), b.currency())
                && a.provisional() == b.provisional() && java.util.Objects.equals(a.conflicting(), b.conflicting())
                && java.util.Objects.equals(a.computation(), b.computation());
    }

    private boolean volumePriced(ExpectedEvent x) {
        return volume(x.asKnown().price()) || volume(x.asCorrected().price());
    }

    private boolean volume(VersionRef ref) {
        return ref != null && registry.find(ref.policyId(), ref.version()).map(v -> v.rule() instanceof Rule.Volume).orElse(false);
    }

    /** Settles the pending events behind the partition's watermark: findings once, final verdicts, state folded. */
    private boolean settlePart(CustomerState c, Part p, Consumer<Emission> out) {
        if (p.pending.isEmpty()) return false;
        ensureRated(c, p);
        int n;
        if (p.volume) {
            if (!closed(p)) return false;
            // Rated once with the period's whole total when it closes; nothing joins a closed period after (data for it is
            // late), so its slices settle what the close rated. A restore rates its rest again (ensureRated), as any pending.
            if (closing.add(p)) refold(c, p, 0, null);
            n = Math.min(p.pending.size(), sliceLeft);
            sliceLeft -= n;
            if (n == p.pending.size()) closing.remove(p);
        } else {
            n = 0;
            while (n < p.pending.size() && p.expected.get(n).event().eventTime().isBefore(p.watermark)) n++;
        }
        if (n == 0) return false;
        String period = p.periodName;
        for (int i = 0; i < n; i++) {
            ExpectedEvent x = p.expected.get(i);
            List<DecisionRecord> ds = c.decisions.getOrDefault(x.event().eventId(), List.of());
            reconciler.check(x, ds, f -> out.accept(new Emission.Settled(f, fingerprint(f), period)));
            verdicts(c, p, i, true, out);
            Slot slot = c.events.get(x.event().eventId());
            slot.state = SlotState.SETTLED;
            p.settled.add(slot); // its row is not written again: the part's settled-through position says it (CustomerSnapshot.of)
        }
        RatingEvent last = p.expected.get(n - 1).event();
        p.settledThrough = new CustomerSnapshot.Position(last.eventTime(), last.eventId());
        p.seed = p.after.get(n - 1);
        p.dropPending(n);
        p.expected.subList(0, n).clear();
        p.after.subList(0, n).clear();
        p.totals.subList(0, n).clear();
        return true;
    }

    private boolean settleConflictsAndOrphans(CustomerState c, Consumer<Emission> out) {
        boolean changed = false;
        List<Slot> conflicts = new ArrayList<>();
        for (String id : c.conflicted) { // not every event of the customer: this runs whenever a watermark moves
            Slot s = c.events.get(id);
            Instant w = c.parts.get(s.partKey).watermark;
            Instant t = s.eventTime();
            if (w != null && t.isBefore(w)) conflicts.add(s);
        }
        conflicts.sort(Comparator.comparing(s -> s.first.eventId()));
        for (Slot s : conflicts) {
            RatingEvent e = s.first.event();
            Finding f = reconciler.duplicateEventConflict(e.eventId(), e.customerId(), e.meter(), s.eventTime(), s.variants.size(), s.rows);
            out.accept(settled(f, c.customerId));
            s.state = SlotState.SETTLED;
            c.parts.get(s.partKey).settled.add(s);
            c.conflicted.remove(e.eventId());
            eventChanged(c, e.eventId());
            changed = true;
            for (DecisionRecord d : c.decisions.getOrDefault(e.eventId(), List.of())) offer(c, conflictVerdict(c, s, d, true), out);
        }
        if (c.watermark == null) return changed;
        List<String> orphaned = new ArrayList<>();
        // Decisions without their event are all in waiting (an event that comes leaves it; a pruned one takes its decisions).
        for (String eventId : c.waiting) if (!c.events.containsKey(eventId) && c.decisions.containsKey(eventId)) orphaned.add(eventId);
        orphaned.sort(null);
        for (String eventId : orphaned) {
            List<DecisionRecord> ds = c.decisions.get(eventId);
            for (Iterator<DecisionRecord> it = ds.iterator(); it.hasNext(); ) {
                DecisionRecord d = it.next();
                if (!d.decidedAt().isBefore(c.watermark)) continue;
                Finding f = reconciler.orphan(d);
                out.accept(settled(f, c.customerId));
                offer(c, linkVerdict(d, f, false), out);
                c.verdicts.remove(d.decisionId()); // final: nothing can reach it any more
                markChanged(c, d.decisionId());
                it.remove();
                decisionsChanged(c, eventId);
                changed = true;
            }
            if (ds.isEmpty()) {
                c.decisions.remove(eventId);
                c.waiting.remove(eventId);
            }
        }
        return changed;
    }

    /**
     * Settled events are kept for one hold after their watermark, for duplicate and late checks; then they go. Each part's
     * settled events wait in event_time order ({@link Part#settled}), so this takes what is due from their heads: it used
     * to look at every event of the customer whenever a watermark moved, a quarter of the stream thread at 10,000
     * decisions/s.
     */
    private boolean prune(CustomerState c) {
        int before = c.events.size() + c.verdicts.size();
        for (Part p : c.parts.values()) {
            if (p.watermark == null) continue;
            Instant cutoff = p.watermark.minus(settings.hold());
            while (!p.settled.isEmpty() && p.settled.peek().eventTime().isBefore(cutoff)) {
                String id = p.settled.poll().first.eventId(); // a slot enters its part's queue once, when it settles, and leaves it here
                List<DecisionRecord> ds = c.decisions.remove(id);
                if (ds != null) {
                    decisionsChanged(c, id);
                    for (DecisionRecord d : ds) if (c.verdicts.remove(d.decisionId()) != null) markChanged(c, d.decisionId());
                }
                c.events.remove(id);
                eventChanged(c, id);
            }
        }
        // Unlinked decisions' marks stay: without an event they have no time to expire by, and a re-delivery must not be judged twice.
        return c.events.size() + c.verdicts.size() != before;
    }

    // ---- verdicts ----

    /** The verdicts of the decisions of pending event {@code i}. */
    private void verdicts(CustomerState c, Part p, int i, boolean settled, Consumer<Emission> out) {
        List<DecisionRecord> ds = c.decisions.get(p.pendingId(i));
        if (ds == null || ds.isEmpty()) return;
        // A volume part's verdicts stay provisional until it settles, and a provisional verdict is not published again while
        // it stays provisional (offer): with every decision's last verdict provisional, judging them again would publish nothing.
        if (!settled && p.volume && allProvisional(c, ds)) return;
        ExpectedEvent x = expectation(c, p, i);
        List<Finding> fs = new ArrayList<>();
        reconciler.check(x, ds, fs::add);
        for (DecisionRecord d : ds) {
            List<String> codes = fs.stream().filter(f -> f.decisionId() == null || f.decisionId().equals(d.decisionId()))
                    .map(f -> f.code()).filter(code -> code != FindingCode.MISSING_DECISION).map(Enum::name).distinct().sorted().toList();
            BigDecimal money = null;
            for (Finding f : fs)
                if (d.decisionId().equals(f.decisionId()) && f.moneyEffect() != null) money = money == null ? f.moneyEffect() : money.add(f.moneyEffect());
            boolean provisional = !settled && (p.volume || x.asKnown().provisional());
            Verdict.Status status = provisional ? Verdict.Status.PROVISIONAL : codes.isEmpty() ? Verdict.Status.OK : Verdict.Status.FINDING;
            offer(c, new Verdict("?", d.decisionId(), d.eventId(), c.customerId, x.event().meter(), p.periodName, status, codes,
                    x.asKnown().amount(), d.amount(), d.currency(), money, text(x.asKnown().price()), text(x.asCorrected().price()),
                    d.appliedPriceText(), d.decidedAt(), null, settled), out);
        }
    }

    private static boolean allProvisional(CustomerState c, List<DecisionRecord> ds) {
        for (DecisionRecord d : ds) {
            Mark m = c.verdicts.get(d.decisionId());
            if (m == null || !m.provisional) return false;
        }
        return true;
    }

    /** A decision whose event is missing (orphan, provisional until the hold closes) or absent (unlinked). */
    private Verdict linkVerdict(DecisionRecord d, Finding f, boolean provisional) {
        String period = periodOf(d.customerId(), d.decidedAt()).toString();
        return new Verdict("?", d.decisionId(), d.eventId(), d.customerId(), d.meter(), period,
                provisional ? Verdict.Status.PROVISIONAL : Verdict.Status.FINDING, List.of(f.code().name()), null, d.amount(), d.currency(),
                f.moneyEffect(), null, null, d.appliedPriceText(), d.decidedAt(), null, !provisional);
    }

    private void conflictVerdicts(CustomerState c, Slot s, Consumer<Emission> out) {
        for (DecisionRecord d : c.decisions.getOrDefault(s.first.eventId(), List.of())) offer(c, conflictVerdict(c, s, d, false), out);
    }

    /** A decision of a DUPLICATE_EVENT_CONFLICT is neither an orphan nor checked (contracts section 9): the event's finding is its verdict. */
    private Verdict conflictVerdict(CustomerState c, Slot s, DecisionRecord d, boolean settled) {
        return new Verdict("?", d.decisionId(), d.eventId(), c.customerId, s.first.event().meter(), periodOf(c.customerId, s.eventTime()).toString(),
                Verdict.Status.FINDING, List.of(FindingCode.DUPLICATE_EVENT_CONFLICT.name()), null, d.amount(), d.currency(), null, null, null,
                d.appliedPriceText(), d.decidedAt(), null, settled);
    }

    /**
     * Publishes {@code v} when it says something new: its first verdict, a changed one, or the final one after a provisional
     * one. Provisional verdicts are not re-published while they stay provisional (a volume period moves every amount with
     * each event; its final verdict comes when it settles).
     */
    private void offer(CustomerState c, Verdict v, Consumer<Emission> out) {
        Mark m = c.verdicts.get(v.decisionId());
        String content = contentDigest(v.content());
        if (m != null) {
            if (m.content.equals(content)) {
                // Not checkpointed: its event settled with it, and a mark of a settled event reads back settled (CustomerSnapshot.of).
                if (v.settled()) m.settled = true;
                return;
            }
            if (m.provisional && v.status() == Verdict.Status.PROVISIONAL) return;
        }
        int seq = m == null ? 1 : m.seq + 1;
        Verdict numbered = new Verdict(v.decisionId() + "#" + seq, v.decisionId(), v.eventId(), v.customerId(), v.meter(), v.billingPeriod(),
                v.status(), v.codes(), v.expectedAmount(), v.actualAmount(), v.currency(), v.moneyEffect(), v.versionAsKnown(),
                v.versionAsCorrected(), v.versionApplied(), v.decidedAt(), m == null ? null : v.decisionId() + "#" + m.seq, v.settled());
        out.accept(numbered);
        Mark next = new Mark(v.eventId(), seq, content, v.status() == Verdict.Status.PROVISIONAL, v.settled());
        if (m != null) next.unlinked = m.unlinked;
        c.verdicts.put(v.decisionId(), next);
        markChanged(c, v.decisionId());
    }

    private Emission.Settled settled(Finding f, String customer) {
        Instant t = f.eventTime() != null ? f.eventTime() : f.decidedAt();
        String period = t == null ? null : periodOf(customer, t).toString();
        return new Emission.Settled(f, fingerprint(f), period);
    }

    private void late(CustomerState c, Consumer<Emission> out, String kind, String id, Instant t, Instant watermark, String why) {
        c.late++;
        out.accept(new Emission.Late(kind, id, c.customerId, t, watermark, why));
    }

    /**
     * What a mark keeps of a verdict's content: its SHA-256, the first 16 bytes in base64url (22 characters, no '|'). It is
     * only compared for equality, and the content itself (ids, amounts, versions) was most of a checkpointed mark's bytes.
     */
    static String contentDigest(String content) {
        byte[] h = SHA256.get().digest(content.getBytes(StandardCharsets.UTF_8));
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(h, 16));
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    });

    /** The fingerprint of findings.csv: sha256(code|event_id|decision_id), first 16 hex digits (ReconcilePass). */
    public static String fingerprint(Finding f) {
        String key = f.code().name() + "|" + (f.eventId() == null ? "" : f.eventId()) + "|" + (f.decisionId() == null ? "" : f.decisionId());
        return HexFormat.of().formatHex(SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    }

    private static String text(VersionRef r) {
        return r == null ? null : r.toString();
    }

    private static Instant max(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    // ---- state ----

    private record PartKey(String meter, Instant periodStart) {}

    private enum SlotState { PENDING, CONFLICT, SETTLED }

    private static final class Slot {
        final LiveEvent first;
        final PartKey partKey;
        final List<LiveEvent> variants = new ArrayList<>();
        SlotState state = SlotState.PENDING;
        int rows = 1;

        Slot(LiveEvent first, PartKey partKey) {
            this.first = first;
            this.partKey = partKey;
            variants.add(first);
        }

        /** The event_time of a conflict is the earliest of its copies' (as the batch staging takes it). */
        Instant eventTime() {
            Instant t = first.event().eventTime();
            if (variants.isEmpty()) return t;
            for (LiveEvent v : variants) if (v.event().eventTime().isBefore(t)) t = v.event().eventTime();
            return t;
        }
    }

    /** A decision that waits for its event and has no verdict yet: it gets one when the customer's events pass its decided_at. */
    private record Unreleased(Instant decidedAt, String eventId) {}

    private static final class Mark {
        final String eventId;
        final int seq;
        final String content;
        final boolean provisional;
        boolean settled;
        boolean unlinked;

        Mark(String eventId, int seq, String content, boolean provisional, boolean settled) {
            this.eventId = eventId;
            this.seq = seq;
            this.content = content;
            this.provisional = provisional;
            this.settled = settled;
        }
    }

    private static final class Part {
        final PartKey key;
        final BillingPeriod period;
        final String periodName; // its billing_period text, in every verdict: LocalDate.toString per verdict was 1.6% of the stream thread
        PeriodState seed;
        Instant watermark;
        Instant maxEventTime;
        Instant lastArrival;
        boolean volume;
        CustomerSnapshot.Position settledThrough; // the last event settlePart took: pending rows up to it are settled
        /**
         * Its pending events in (event_time, event_id) order, as they first came (a slot's first variant): the binary search
         * compares them without a lookup by id per step. Changed only through the three methods below.
         */
        final List<RatingEvent> pending = new ArrayList<>();

        void addPending(int i, RatingEvent e) {
            pending.add(i, e);
        }

        void removePending(int i) {
            pending.remove(i);
        }

        /** Drops the first {@code n}: they settled. */
        void dropPending(int n) {
            pending.subList(0, n).clear();
        }

        String pendingId(int i) {
            return pending.get(i).eventId();
        }

        List<String> pendingIds() {
            List<String> ids = new ArrayList<>(pending.size());
            for (RatingEvent e : pending) ids.add(e.eventId());
            return ids;
        }
        List<ExpectedEvent> expected = new ArrayList<>(); // null: to be rated again
        List<PeriodState> after = new ArrayList<>();
        List<BigDecimal> totals = new ArrayList<>(); // the volume total each expectation was rated with (see expectation)
        /** Its settled events, earliest event_time first (then event_id): what {@link #prune} takes from. */
        final InOrderQueue<Slot> settled = new InOrderQueue<>(SETTLED_ORDER);
        CustomerSnapshot.PartRow written; // as last drained (without its pending list)

        Part(PartKey key, BillingPeriod period, PeriodState seed) {
            this.key = key;
            this.period = period;
            this.periodName = period.toString();
            this.seed = seed;
        }
    }

    private final class CustomerState {
        final String customerId;
        final Map<String, Slot> events = new HashMap<>();
        final Map<String, List<DecisionRecord>> decisions = new HashMap<>();
        final Map<PartKey, Part> parts = new TreeMap<>(Comparator.comparing(PartKey::meter).thenComparing(PartKey::periodStart));
        final Map<String, Mark> verdicts = new HashMap<>();
        // What changed since the last checkpoint (rows of drainChanges).
        final Set<String> changedEvents = new LinkedHashSet<>(), changedDecisions = new LinkedHashSet<>(), changedMarks = new LinkedHashSet<>();
        final Set<String> waiting = new java.util.HashSet<>(); // event ids that decisions name and no event has come for
        /** Waiting decisions that came without a verdict, earliest decided_at first (see releaseWaiting). */
        final java.util.PriorityQueue<Unreleased> unreleased = new java.util.PriorityQueue<>(Comparator.comparing(Unreleased::decidedAt));
        final Set<String> conflicted = new java.util.HashSet<>(); // events in DUPLICATE_EVENT_CONFLICT, not settled yet
        Instant maxEventTime, maxDecidedAt, lastArrival, watermark;
        long late, redelivered;

        void forgetChanges() {
            changedEvents.clear();
            changedDecisions.clear();
            changedMarks.clear();
        }

        CustomerState(String customerId) {
            this.customerId = customerId;
            this.watermark = seed.through(); // before it, everything is the nightly audit's
        }

        Part part(String meter, BillingPeriod period) {
            PartKey key = new PartKey(meter, period.start());
            return parts.computeIfAbsent(key, k -> {
                Part p = new Part(k, period, seed.states().getOrDefault(new SeedKey(customerId, meter, period.start()), PeriodState.START));
                p.watermark = seed.through();
                return p;
            });
        }
    }
}
