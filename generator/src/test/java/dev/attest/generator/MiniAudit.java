package dev.attest.generator;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.findings.Finding;
import dev.attest.core.findings.Reconciler;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.rating.BillingCycles;
import dev.attest.core.rating.ExpectedEvent;
import dev.attest.core.rating.PeriodRater;
import dev.attest.core.rating.RatingEvent;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An audit of a generated folder built from the core alone (PeriodRater + Reconciler), independent of the
 * generator's bookkeeping: what it finds must be exactly the truth. Partitions are (customer, meter, billing period of
 * the customer's cycle as the folder's customers.csv says), as an audit with {@code --customers} makes them. Small data
 * only (everything in memory).
 */
final class MiniAudit {
    record Key(String code, String eventId, String decisionId) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            return Comparator.comparing(Key::code).thenComparing(Key::eventId, Comparator.nullsFirst(Comparator.naturalOrder()))
                    .thenComparing(Key::decisionId, Comparator.nullsFirst(Comparator.naturalOrder())).compare(this, o);
        }
    }

    private MiniAudit() {}

    static List<Key> run(Dataset d, Instant from, Instant to, Instant asOf, BigDecimal tolerance, Duration lateAfter) {
        return run(d, BillingCycles.of(d.customers()), from, to, asOf, tolerance, lateAfter);
    }

    /** @param cycles the billing cycles to partition and rate by (the folder's own, or others to show they matter) */
    static List<Key> run(Dataset d, BillingCycles cycles, Instant from, Instant to, Instant asOf, BigDecimal tolerance, Duration lateAfter) {
        PolicyRegistry registry = new PolicyRegistry(d.policies());
        Reconciler reconciler = new Reconciler(registry, new Reconciler.Params(tolerance, lateAfter));
        List<Finding> out = new ArrayList<>();

        // events by id; different contents under one id are a conflict
        Map<String, List<Dataset.EventRow>> byId = new LinkedHashMap<>();
        for (Dataset.EventRow e : d.events()) byId.computeIfAbsent(e.eventId(), k -> new ArrayList<>()).add(e);
        Map<String, List<DecisionRecord>> decisionsOf = new HashMap<>();
        for (DecisionRecord r : d.decisions()) if (r.eventId() != null) decisionsOf.computeIfAbsent(r.eventId(), k -> new ArrayList<>()).add(r);

        PeriodRater rater = new PeriodRater(registry, asOf, true, cycles);
        Map<String, List<RatingEvent>> partitions = new LinkedHashMap<>();
        for (Map.Entry<String, List<Dataset.EventRow>> en : byId.entrySet()) {
            List<Dataset.EventRow> rows = en.getValue();
            Dataset.EventRow first = rows.get(0);
            boolean conflict = rows.stream().anyMatch(r -> !r.sameContent(first));
            boolean inWindow = !first.eventTime().isBefore(from) && first.eventTime().isBefore(to);
            if (conflict) {
                if (inWindow)
                    out.add(reconciler.duplicateEventConflict(en.getKey(), first.customerId(), first.meter(), first.eventTime(), 2, rows.size()));
                continue;
            }
            Instant knownAt = null;
            for (DecisionRecord r : decisionsOf.getOrDefault(en.getKey(), List.of()))
                if (knownAt == null || r.decidedAt().isBefore(knownAt)) knownAt = r.decidedAt();
            RatingEvent e = new RatingEvent(en.getKey(), first.customerId(), first.meter(), first.quantity(), first.eventTime(), knownAt,
                    first.value(), first.dims());
            String key = first.customerId() + "|" + first.meter() + "|" + rater.periodOf(first.customerId(), first.eventTime()).start();
            partitions.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
        }

        for (List<RatingEvent> p : partitions.values()) {
            p.sort(Comparator.comparing(RatingEvent::eventTime).thenComparing(RatingEvent::eventId));
            for (ExpectedEvent e : rater.rate(p)) {
                if (e.event().eventTime().isBefore(from) || !e.event().eventTime().isBefore(to)) continue;
                List<DecisionRecord> ds = decisionsOf.getOrDefault(e.event().eventId(), List.of());
                reconciler.checkEvent(e, ds.size(), out::add);
                for (DecisionRecord r : ds) reconciler.checkDecision(e, r, out::add);
            }
        }

        for (DecisionRecord r : d.decisions()) {
            boolean inWindow = !r.decidedAt().isBefore(from) && r.decidedAt().isBefore(to);
            if (!inWindow) continue;
            if (r.eventId() == null) out.add(reconciler.unlinked(r));
            else if (!byId.containsKey(r.eventId())) out.add(reconciler.orphan(r));
        }

        List<Key> keys = new ArrayList<>();
        for (Finding f : out) keys.add(new Key(f.code().name(), f.eventId(), f.decisionId()));
        keys.sort(null);
        return keys;
    }
}
