package dev.attest.spark;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.findings.Finding;
import dev.attest.core.policy.VersionRef;
import dev.attest.core.rating.BillingPeriod;
import dev.attest.core.rating.Expectation;
import dev.attest.core.rating.ExpectedEvent;
import dev.attest.core.rating.Outcome;
import dev.attest.core.rating.PeriodRater;
import dev.attest.core.rating.PeriodState;
import dev.attest.core.rating.RatingEvent;
import dev.attest.engine.audit.CanonicalJson;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Core's fold inside a Spark task. The task's rows come sorted by (customer, meter, billing period, chunk, event_time,
 * event_id, decided_at, decision_id), one row per (event, decision); consecutive rows of one event_id are one event and its
 * decisions, consecutive events of one key one fold. Each fold is rated by {@link PeriodRater} exactly as the embedded
 * RatePass rates it, and each event of the window is checked by the same {@code Reconciler}: Spark moves the rows, core
 * decides every amount and finding. Memory: one fold's events at a time (a heavy period arrives split into chunks).
 */
final class PartitionFold implements MapPartitionsFunction<Row, Row> {
    /** Input columns, in the order SparkRatePass selects them. */
    static final String[] COLUMNS = {"event_id", "customer_id", "meter", "quantity", "event_time", "value", "dimensions", "in_window",
            "decision_id", "outcome", "amount", "currency", "price_policy_id", "price_version", "discount_policy_id", "discount_version",
            "entitlement_policy_id", "entitlement_version", "decided_at", "invoice_id", "d_customer_id", "d_meter",
            "period_start", "chunk", "st_known_before", "st_known_fee_due", "st_corrected_before", "st_corrected_fee_due", "chunk_offset"};

    private final RatingSpec spec;
    private final Instant windowTo; // null: no window end, no states written

    PartitionFold(RatingSpec spec, Instant windowTo) {
        if (spec == null) throw new IllegalArgumentException("the rating spec is required");
        this.spec = spec;
        this.windowTo = windowTo;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        RatingSpec.Built built = spec.built();
        return new Folds(input, new PeriodRater(built.registry(), spec.cutoff(), false, built.cycles()), built);
    }

    private record Pending(RatingEvent event, boolean inWindow, List<DecisionRecord> decisions) {}

    /** Pulls one fold's rows at a time and hands out its output rows. */
    private final class Folds implements Iterator<Row> {
        private final Iterator<Row> input;
        private final PeriodRater rater;
        private final RatingSpec.Built built;
        private final ArrayDeque<Row> out = new ArrayDeque<>();
        private final List<Pending> fold = new ArrayList<>();
        private final Map<String, Map<String, String>> parsedDims = new HashMap<>();
        private Row keyRow; // the first row of the current fold: its key, start state and offset
        private Pending current;
        private String lastEventId;
        private Row lookahead;

        Folds(Iterator<Row> input, PeriodRater rater, RatingSpec.Built built) {
            this.input = input;
            this.rater = rater;
            this.built = built;
        }

        @Override
        public boolean hasNext() {
            while (out.isEmpty() && (input.hasNext() || !fold.isEmpty())) advance();
            return !out.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) throw new NoSuchElementException();
            return out.poll();
        }

        /** Reads rows until one fold is complete (or the input ends), then rates it. */
        private void advance() {
            while (input.hasNext()) {
                Row r = input.next();
                String eventId = r.getString(0);
                if (current == null || !eventId.equals(lastEventId)) {
                    if (keyRow != null && !sameKey(keyRow, r)) {
                        lookahead = r;
                        flush();
                        accept(lookahead);
                        return;
                    }
                    accept(r);
                } else if (!r.isNullAt(8)) {
                    current.decisions().add(decision(r, eventId));
                }
            }
            flush();
        }

        private void accept(Row r) {
            if (keyRow == null) keyRow = r;
            String eventId = r.getString(0);
            lastEventId = eventId;
            Instant knownAt = r.isNullAt(18) ? null : (Instant) r.get(18); // earliest decided_at: sorted first
            RatingEvent ev = new RatingEvent(eventId, r.getString(1), r.getString(2), r.getDecimal(3), (Instant) r.get(4), knownAt,
                    r.isNullAt(5) ? null : r.getDecimal(5), dimensions(r.isNullAt(6) ? null : r.getString(6)));
            current = new Pending(ev, r.getBoolean(7), new ArrayList<>(1));
            if (!r.isNullAt(8)) current.decisions().add(decision(r, eventId));
            fold.add(current);
        }

        private boolean sameKey(Row a, Row b) {
            return a.getString(1).equals(b.getString(1)) && a.getString(2).equals(b.getString(2)) && a.get(22).equals(b.get(22))
                    && a.getInt(23) == b.getInt(23);
        }

        private DecisionRecord decision(Row r, String eventId) {
            return new DecisionRecord(r.getString(8), eventId, r.getString(20), r.getString(21), Outcome.parse(r.getString(9)),
                    r.isNullAt(10) ? null : r.getDecimal(10), r.getString(11), r.getString(12), integer(r, 13), r.getString(14),
                    integer(r, 15), r.getString(16), integer(r, 17), (Instant) r.get(18), r.getString(19));
        }

        private Map<String, String> dimensions(String text) {
            if (text == null) return Map.of();
            if (parsedDims.size() > 100_000) parsedDims.clear();
            return parsedDims.computeIfAbsent(text, CanonicalJson::parseFlatObject);
        }

        /** Rates the current fold and queues its rows: findings and the expectation of each event of the window. */
        private void flush() {
            if (fold.isEmpty()) return;
            Row k = keyRow;
            RatingEvent first = fold.get(0).event();
            BillingPeriod period = rater.periodOf(first.customerId(), first.eventTime());
            PeriodState start = k.isNullAt(24) ? PeriodState.START
                    : new PeriodState(k.getDecimal(24), k.getBoolean(25), k.getDecimal(26), k.getBoolean(27));
            if (!k.isNullAt(28)) { // a later chunk of a split period: the earlier chunks' quantity, summed in phase one
                BigDecimal offset = k.getDecimal(28);
                start = new PeriodState(start.knownBefore().add(offset), start.knownVolumeFeeDue(),
                        start.correctedBefore().add(offset), start.correctedVolumeFeeDue());
            }
            boolean openAtEnd = windowTo != null && period.start().isBefore(windowTo) && period.end().isAfter(windowTo);
            List<RatingEvent> evs = new ArrayList<>(fold.size());
            for (Pending p : fold) evs.add(p.event());
            PeriodRater.Folded folded = rater.rate(evs, start, openAtEnd ? windowTo : null);
            if (openAtEnd) out.add(state(first, period, folded.state()));
            String periodText = period.toString();
            List<ExpectedEvent> rated = folded.expected();
            for (int j = 0; j < rated.size(); j++) {
                Pending p = fold.get(j);
                if (!p.inWindow()) continue;
                ExpectedEvent e = rated.get(j);
                try {
                    built.reconciler().check(e, p.decisions(), f -> out.add(finding(f)));
                    out.add(expected(e, p, periodText));
                } catch (ArithmeticException tooLarge) { // as RatePass: an amount beyond DECIMAL(38,9) is the input's fault
                    RatingEvent ev = e.event();
                    throw new dev.attest.io.input.InputException(dev.attest.io.input.InputException.Code.OUT_OF_RANGE, "event "
                            + ev.eventId() + " (customer " + ev.customerId() + ", meter " + ev.meter() + ", quantity "
                            + ev.quantity().stripTrailingZeros().toPlainString() + "): " + tooLarge.getMessage(), tooLarge);
                }
            }
            fold.clear();
            keyRow = null;
            current = null;
            lastEventId = null;
        }
    }

    private static Integer integer(Row r, int i) {
        return r.isNullAt(i) ? null : ((Number) r.get(i)).intValue();
    }

    private static Row expected(ExpectedEvent e, Pending p, String periodText) {
        Object[] v = new Object[Layout.WIDTH];
        v[0] = "E";
        int o = Layout.EXPECTED_AT;
        RatingEvent ev = e.event();
        Expectation k = e.asKnown(), c = e.asCorrected();
        v[o] = ev.eventId();
        v[o + 1] = ev.customerId();
        v[o + 2] = ev.meter();
        v[o + 3] = ev.eventTime();
        v[o + 4] = periodText;
        v[o + 5] = dec("quantity", ev.quantity());
        v[o + 6] = p.decisions().size();
        v[o + 7] = ev.knownAt();
        v[o + 8] = k.outcome() == null ? null : k.outcome().wire();
        v[o + 9] = dec("expected_amount", k.amount());
        v[o + 10] = k.currency();
        v[o + 11] = k.status().name();
        ref(v, o + 12, k.price());
        ref(v, o + 14, k.discount());
        ref(v, o + 16, k.entitlement());
        v[o + 18] = dec("before_quantity", k.before());
        v[o + 19] = k.provisional();
        v[o + 20] = c.outcome() == null ? null : c.outcome().wire();
        v[o + 21] = dec("corrected_amount", c.amount());
        v[o + 22] = c.status().name();
        ref(v, o + 23, c.price());
        v[o + 25] = c.currency();
        ref(v, o + 26, c.discount());
        ref(v, o + 28, c.entitlement());
        return RowFactory.create(v);
    }

    /**
     * A decimal as the workspace's DECIMAL(38,9) takes it, refused with DuckTableSink's message when it cannot be: Spark
     * would otherwise fail the task in its encoder, an internal failure instead of the input error the embedded pass reports.
     */
    private static BigDecimal dec(String column, BigDecimal value) {
        if (value == null) return null;
        BigDecimal scaled = value.scale() == 9 ? value : value.setScale(9, java.math.RoundingMode.UNNECESSARY);
        if (scaled.precision() > 38)
            throw new ArithmeticException(column + " " + value.toPlainString() + " has more than 29 integer digits: amounts are kept as DECIMAL(38,9)");
        return scaled;
    }

    private static void ref(Object[] v, int at, VersionRef ref) {
        if (ref == null) return;
        v[at] = ref.policyId();
        v[at + 1] = ref.version();
    }

    private static Row finding(Finding f) {
        Object[] v = new Object[Layout.WIDTH];
        v[0] = "F";
        int o = Layout.FINDING_AT;
        v[o] = f.code().name();
        v[o + 1] = f.severity().wire();
        v[o + 2] = f.eventId();
        v[o + 3] = f.decisionId();
        v[o + 4] = f.customerId();
        v[o + 5] = f.meter();
        v[o + 6] = f.eventTime();
        v[o + 7] = f.decidedAt();
        v[o + 8] = dec("expected_amount", f.expectedAmount());
        v[o + 9] = dec("actual_amount", f.actualAmount());
        v[o + 10] = f.expectedOutcome();
        v[o + 11] = f.actualOutcome();
        v[o + 12] = dec("difference", f.difference());
        v[o + 13] = f.currency();
        v[o + 14] = f.versionAsKnown();
        v[o + 15] = f.versionAsCorrected();
        v[o + 16] = f.versionApplied();
        v[o + 17] = f.explanation();
        v[o + 18] = f.moneyClass() == null ? null : f.moneyClass().wire();
        v[o + 19] = dec("money_amount", f.moneyAmount());
        v[o + 20] = dec("money_effect", f.moneyEffect());
        v[o + 21] = f.invoiceId();
        return RowFactory.create(v);
    }

    private static Row state(RatingEvent first, BillingPeriod period, PeriodState s) {
        Object[] v = new Object[Layout.WIDTH];
        v[0] = "S";
        int o = Layout.STATE_AT;
        v[o] = first.customerId();
        v[o + 1] = first.meter();
        v[o + 2] = period.start();
        v[o + 3] = period.end();
        v[o + 4] = period.toString();
        v[o + 5] = s.knownBefore();
        v[o + 6] = s.knownVolumeFeeDue();
        v[o + 7] = s.correctedBefore();
        v[o + 8] = s.correctedVolumeFeeDue();
        return RowFactory.create(v);
    }
}
