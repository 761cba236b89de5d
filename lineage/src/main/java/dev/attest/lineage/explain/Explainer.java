package dev.attest.lineage.explain;

import dev.attest.core.findings.MinorUnits;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.VersionRef;
import dev.attest.core.rating.BillingCycles;
import dev.attest.core.rating.BillingPeriod;
import dev.attest.core.rating.Expectation;
import dev.attest.core.rating.ExpectedEvent;
import dev.attest.core.rating.PeriodRater;
import dev.attest.core.rating.RatingEvent;
import dev.attest.io.Folders;
import dev.attest.engine.audit.CanonicalJson;
import dev.attest.io.customers.CustomersLoader;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputStager;
import dev.attest.io.input.StagingReport;
import dev.attest.io.policy.PolicyLoader;
import dev.attest.lineage.manifest.RunManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code attest explain}: the whole chain of one record of a run. Reads the run's manifest, stages the pinned
 * inputs again, re-rates only the record's (customer, meter, billing period) partition with the computation
 * text on, and prints: the source rows (file and row), the versions that applied as-known and as-corrected
 * (with recorded_at and change_ref), the computation (tiers, discount, rounding), the expected and actual
 * outcome and amount, and the run's findings and lineage gaps for the record.
 */
public final class Explainer {
    /** Which record: an event or a decision, by id. */
    public sealed interface Target {
        String id();

        record Event(String id) implements Target {}

        record Decision(String id) implements Target {}
    }

    /** How explaining ended. */
    public sealed interface Outcome {
        record Explained(String text) implements Outcome {}

        /** The id is not in the run's inputs (exit 2); the message says what was searched. */
        record NotFound(String message) implements Outcome {}
    }

    private final RunManifest manifest;

    public Explainer(RunManifest manifest) {
        this.manifest = manifest;
    }

    public Outcome explain(Target target) {
        PolicyRegistry registry = new PolicyRegistry(PolicyLoader.load(manifest.policiesPath()));
        BillingCycles cycles = CustomersLoader.load(manifest.customersPath());
        Path work;
        try {
            work = Files.createTempDirectory("attest-explain-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary workspace", e);
        }
        try (Duck duck = Duck.open(work.resolve("explain.duckdb"))) {
            StagingReport staging = new InputStager(duck).stage(manifest.events().toSource(), manifest.decisions().toSource(),
                    manifest.parameter("assume_zone"));
            return new Session(duck, registry, cycles, staging).explain(target);
        } finally {
            Folders.deleteTree(work);
        }
    }

    private final class Session {
        final Duck duck;
        final PolicyRegistry registry;
        final BillingCycles cycles;
        final StagingReport staging;
        final Instant cutoff = Instant.parse(manifest.parameter("as_of"));
        final StringBuilder out = new StringBuilder();

        Session(Duck duck, PolicyRegistry registry, BillingCycles cycles, StagingReport staging) {
            this.duck = duck;
            this.registry = registry;
            this.cycles = cycles;
            this.staging = staging;
        }

        Outcome explain(Target target) {
            List<Map<String, Object>> decisions;
            String eventId;
            if (target instanceof Target.Decision d) {
                decisions = duck.queryRows("SELECT * FROM decisions WHERE decision_id = " + Duck.literal(d.id()) + " ORDER BY src_file, src_row");
                if (decisions.isEmpty()) {
                    String quarantined = quarantined("decisions", "decision_id", d.id());
                    if (quarantined == null)
                        return new Outcome.NotFound("no decision '" + d.id() + "' in the run's decisions (" + manifest.decisions().location() + ")");
                    out.append("Decision ").append(d.id()).append(" was quarantined: ").append(quarantined).append('\n');
                    appendFindings("decision_id = " + Duck.literal(d.id()));
                    return new Outcome.Explained(out.toString());
                }
                eventId = (String) decisions.get(0).get("event_id");
                out.append("Decision ").append(d.id()).append(" of run ").append(manifest.runId()).append('\n');
            } else {
                eventId = target.id();
                decisions = duck.queryRows("SELECT * FROM decisions WHERE event_id = " + Duck.literal(eventId) + " ORDER BY decided_at, decision_id, src_file, src_row");
                out.append("Event ").append(eventId).append(" of run ").append(manifest.runId()).append('\n');
            }
            appendInputWarnings();

            List<Map<String, Object>> eventRows = eventId == null ? List.of()
                    : duck.queryRows("SELECT * FROM events WHERE event_id = " + Duck.literal(eventId) + " ORDER BY src_file, src_row");
            if (target instanceof Target.Event && eventRows.isEmpty() && decisions.isEmpty()) {
                String quarantined = quarantined("events", "event_id", eventId);
                if (quarantined == null)
                    return new Outcome.NotFound("no event '" + eventId + "' in the run's events (" + manifest.events().location() + ")");
                out.append("The event was quarantined: ").append(quarantined).append('\n');
                appendFindings("event_id = " + Duck.literal(eventId));
                return new Outcome.Explained(out.toString());
            }

            out.append("\nSource\n");
            for (Map<String, Object> e : eventRows)
                line("event " + e.get("event_id"), "events " + e.get("src_file") + " row " + e.get("src_row"));
            for (Map<String, Object> d : decisions)
                line("decision " + d.get("decision_id"), "decisions " + d.get("src_file") + " row " + d.get("src_row"));
            if (eventId == null) line("event", "none: the decision names no event (UNLINKED_DECISION)");
            else if (eventRows.isEmpty()) {
                String q = quarantined("events", "event_id", eventId);
                line("event " + eventId, q == null ? "not in the events input (ORPHAN_DECISION)" : "quarantined: " + q);
            }

            Map<String, Object> event = eventRows.isEmpty() ? null : eventRows.get(0);
            if (event != null) {
                out.append("\nEvent ").append(eventId).append('\n');
                line("customer, meter", event.get("customer_id") + ", " + event.get("meter"));
                line("quantity", num((BigDecimal) event.get("quantity")));
                line("event_time", time(event.get("event_time")));
                if (event.get("value") != null) line("value", num((BigDecimal) event.get("value")));
                if (event.get("dimensions") != null) line("dimensions", String.valueOf(event.get("dimensions")));
                if (eventRows.size() > 1) line("deliveries", eventRows.size() + " rows with this event_id");
            }
            for (Map<String, Object> d : decisions) {
                out.append("\nDecision ").append(d.get("decision_id")).append('\n');
                String cur = (String) d.get("currency");
                line("outcome, amount", d.get("outcome") + " " + money((BigDecimal) d.get("amount"), cur) + " " + cur);
                line("decided_at", time(d.get("decided_at")));
                for (String kind : new String[] {"price", "discount", "entitlement"}) {
                    Object pid = d.get(kind + "_policy_id"), ver = d.get(kind + "_version");
                    if (pid == null && ver == null) {
                        line(kind + " applied", "none named");
                        continue;
                    }
                    String name = pid + "@v" + (ver == null ? "?" : ver);
                    PolicyVersion v = pid == null || ver == null ? null : registry.find((String) pid, ((Number) ver).intValue()).orElse(null);
                    line(kind + " applied", v == null ? name + ": not in the policy registry" : describe(v));
                }
                line("invoice", d.get("invoice_id") == null ? "none" : String.valueOf(d.get("invoice_id")));
            }

            if (event != null) {
                long conflicting = duck.queryLong("SELECT count(*) FROM event_conflicts WHERE event_id = " + Duck.literal(eventId));
                if (conflicting > 0) out.append("\nThe event's deliveries differ in content (DUPLICATE_EVENT_CONFLICT): it is not rated.\n");
                else rate(eventId, decisions);
            }
            appendFindings(eventId == null ? "decision_id = " + Duck.literal(target.id())
                    : "event_id = " + Duck.literal(eventId) + (target instanceof Target.Decision ? " OR decision_id = " + Duck.literal(target.id()) : ""));
            return new Outcome.Explained(out.toString());
        }

        /** Re-rates the event's (customer, meter, billing period) partition with the computation text on. */
        void rate(String eventId, List<Map<String, Object>> decisions) {
            Map<String, Object> e = duck.queryRows("SELECT * FROM events_unique WHERE event_id = " + Duck.literal(eventId)).get(0);
            Instant t = instant(e.get("event_time"));
            String customer = (String) e.get("customer_id");
            BillingPeriod period = cycles.of(customer).periodOf(t);
            List<Map<String, Object>> rows = duck.queryRows("SELECT e.*, (SELECT min(decided_at) FROM decisions d WHERE d.event_id = e.event_id) "
                    + "AS known_at FROM events_unique e WHERE customer_id = " + Duck.literal((String) e.get("customer_id")) + " AND meter = "
                    + Duck.literal((String) e.get("meter")) + " AND event_time >= " + lit(period.start()) + " AND event_time < "
                    + lit(period.end()) + " ORDER BY event_time, event_id");
            List<RatingEvent> partition = new ArrayList<>();
            int index = -1;
            Map<String, Map<String, String>> dims = new HashMap<>();
            for (Map<String, Object> r : rows) {
                if (r.get("event_id").equals(eventId)) index = partition.size();
                String d = (String) r.get("dimensions");
                partition.add(new RatingEvent((String) r.get("event_id"), (String) r.get("customer_id"), (String) r.get("meter"),
                        (BigDecimal) r.get("quantity"), instant(r.get("event_time")), r.get("known_at") == null ? null : instant(r.get("known_at")),
                        (BigDecimal) r.get("value"), d == null ? Map.of() : dims.computeIfAbsent(d, CanonicalJson::parseFlatObject)));
            }
            ExpectedEvent x = new PeriodRater(registry, cutoff, true, cycles).rate(partition).get(index);
            out.append("\nBilling period ").append(period).append(" of ").append(e.get("customer_id")).append(", ").append(e.get("meter"))
                    .append(": event ").append(index + 1).append(" of ").append(partition.size()).append(" in (event_time, event_id) order\n");
            appendPeriod(customer, t, period);
            Instant knownAt = x.event().knownAt();
            out.append("\nAs known (knowledge time ").append(knownAt == null ? cutoff + ", the run's cut-off: the event has no decision"
                    : knownAt + ", the earliest decided_at of its decisions").append(")\n");
            view(x.asKnown());
            out.append("\nAs corrected (knowledge time ").append(cutoff).append(", the run's cut-off)\n");
            view(x.asCorrected());
            Expectation k = x.asKnown();
            out.append("\nOutcome\n");
            String expected = outcome(k);
            line("expected (as known)", expected);
            if (!outcome(x.asCorrected()).equals(expected)) line("expected (as corrected)", outcome(x.asCorrected()));
            if (decisions.isEmpty()) line("actual", "no decision (MISSING_DECISION)");
            for (Map<String, Object> d : decisions) {
                String cur = (String) d.get("currency");
                BigDecimal amount = (BigDecimal) d.get("amount");
                String diff = k.hasAmount() && "charged".equals(d.get("outcome")) && k.outcome() != null && "charged".equals(k.outcome().wire())
                        ? ", difference (actual - expected) " + money(amount.subtract(k.amount()), cur) : "";
                line("actual (" + d.get("decision_id") + ")", d.get("outcome") + " " + money(amount, cur) + " " + cur + diff);
            }
        }

        /** The period's bounds, local and UTC, and why the event belongs to it (contracts section 10). */
        void appendPeriod(String customer, Instant t, BillingPeriod p) {
            java.time.ZoneId z = p.cycle().zone();
            String zone = z.equals(java.time.ZoneOffset.UTC) ? "UTC" : z.getId();
            String cycle = cycles.lists(customer)
                    ? "billing cycle of the customers input: anchor day " + p.cycle().anchorDay() + ", zone " + zone
                    : "no cycle of its own" + (cycles.size() > 0 ? " in the customers input" : " (no customers input)")
                    + ": the calendar month in UTC";
            line("cycle", cycle);
            line("period start", p.start().atZone(z).toLocalDateTime() + " " + zone + " = " + p.start());
            line("period end", p.end().atZone(z).toLocalDateTime() + " " + zone + " = " + p.end() + " (exclusive)");
            String anchorNote = p.startDate().getDayOfMonth() != p.cycle().anchorDay() ? " (day " + p.cycle().anchorDay() + " does not exist in "
                    + p.month() + ": its last day)" : "";
            String gapNote = !p.start().atZone(z).toLocalTime().equals(java.time.LocalTime.MIDNIGHT)
                    ? "; local midnight fell in a DST gap, so the period starts at the first instant after it" : "";
            line("why", "event_time " + t + " = " + t.atZone(z).toLocalDateTime() + " " + zone + " is at or after the start on "
                    + p.startDate() + anchorNote + " and before the next start on " + p.endDate() + gapNote);
            line("closed", p.closedAt(cutoff) ? "yes: it ended at or before the cut-off " + cutoff
                    : "no: it ends after the cut-off " + cutoff + " (volume amounts are provisional)");
        }

        void view(Expectation x) {
            line("price", ref(x.price()));
            line("discount", ref(x.discount()));
            line("entitlement", ref(x.entitlement()));
            line("before", num(x.before()));
            line("computation", x.computation() == null ? "-" : x.computation());
            line("expected", outcome(x) + (x.provisional() ? " (provisional: volume pricing in a period still open at the cut-off)" : ""));
            line("status", x.status().name());
        }

        String outcome(Expectation x) {
            if (x.outcome() == null) return "none (" + x.status() + ")";
            if (x.amount() == null) return x.outcome().wire() + ", no amount (" + x.status() + ")";
            return x.outcome().wire() + " " + money(x.amount(), x.currency()) + (x.currency() == null ? "" : " " + x.currency());
        }

        String ref(VersionRef r) {
            if (r == null) return "none";
            return registry.find(r.policyId(), r.version()).map(Explainer::describe).orElse(r.toString());
        }

        void appendInputWarnings() {
            List<String> changed = new ArrayList<>();
            compare(manifest.events(), staging.events(), changed);
            compare(manifest.decisions(), staging.decisions(), changed);
            if (!changed.isEmpty())
                out.append("WARNING: inputs changed since the run (run `attest verify`): ").append(String.join("; ", changed)).append('\n');
        }

        void compare(RunManifest.Input pinned, StagingReport.InputReport now, List<String> changed) {
            Map<String, String> digests = new HashMap<>();
            for (StagingReport.FileRead f : now.files()) digests.put(f.path(), f.sha256());
            for (RunManifest.PinnedFile f : pinned.files())
                if (!f.sha256().equals(digests.get(f.path()))) changed.add(f.path());
        }

        String quarantined(String input, String key, String id) {
            List<Map<String, Object>> q = duck.queryRows("SELECT src_file, src_row, reason FROM quarantine WHERE input = " + Duck.literal(input)
                    + " AND " + Duck.rawKey("raw", key) + " = " + Duck.literal(id) + " ORDER BY src_file, src_row LIMIT 1");
            if (q.isEmpty()) return null;
            return q.get(0).get("src_file") + " row " + q.get(0).get("src_row") + ": " + q.get(0).get("reason");
        }

        /** The run's own findings and lineage gaps for the record, from its output files. */
        void appendFindings(String where) {
            Path findings = manifest.runDir().resolve("findings.parquet");
            List<Map<String, Object>> rows;
            // A lineage report folder (attest lineage) rates nothing: it has gaps but no findings.
            if (Files.exists(findings)) {
                out.append("\nFindings of the run (findings.parquet)\n");
                rows = duck.queryRows("SELECT severity, code, fingerprint, explanation FROM read_parquet("
                        + Duck.literal(findings.toString()) + ") WHERE " + where + " ORDER BY code, fingerprint");
                if (rows.isEmpty()) out.append("  none\n");
                for (Map<String, Object> r : rows)
                    out.append("  ").append(r.get("code")).append(" [").append(r.get("severity")).append(", ").append(r.get("fingerprint"))
                            .append("]: ").append(r.get("explanation")).append('\n');
            }
            Path gaps = manifest.runDir().resolve("lineage_gaps.parquet");
            if (!Files.exists(gaps)) return;
            out.append("\nLineage gaps of the run (lineage_gaps.parquet)\n");
            rows = duck.queryRows("SELECT gap, detail FROM read_parquet(" + Duck.literal(gaps.toString()) + ") WHERE " + where
                    + " ORDER BY gap, detail");
            if (rows.isEmpty()) out.append("  none: event -> rule version (change_ref) -> decision -> invoice is intact\n");
            for (Map<String, Object> r : rows) out.append("  ").append(r.get("gap")).append(": ").append(r.get("detail")).append('\n');
        }

        void line(String label, String value) {
            out.append("  ").append(label).append(' ');
            for (int i = label.length(); i < 24; i++) out.append(' ');
            out.append(value).append('\n');
        }
    }

    /** "price-api@v2 valid [2026-01-15T00:00:00Z, open) recorded_at ... change_ref CHG-2 author ..." */
    static String describe(PolicyVersion v) {
        return v.ref() + " valid [" + v.validFrom() + ", " + (v.validTo() == null ? "open" : v.validTo()) + "), recorded_at " + v.recordedAt()
                + ", change_ref " + (v.changeRef() == null ? "NONE (governance gap)" : v.changeRef())
                + (v.author() == null ? "" : ", author " + v.author());
    }

    private static String lit(Instant t) {
        return dev.attest.io.duck.Duck.literal(t);
    }

    private static Instant instant(Object o) {
        if (o instanceof OffsetDateTime odt) return odt.toInstant();
        if (o instanceof java.sql.Timestamp ts) return ts.toInstant();
        if (o instanceof Instant i) return i;
        return OffsetDateTime.parse(String.valueOf(o)).toInstant();
    }

    private static String time(Object o) {
        return o == null ? "none" : instant(o).toString();
    }

    /** A decimal as a person wrote it (the staged scale of 9 stripped). */
    static String num(BigDecimal d) {
        if (d == null) return "none";
        BigDecimal s = d.stripTrailingZeros();
        return (s.scale() < 0 ? s.setScale(0) : s).toPlainString();
    }

    /** Money with at least its currency's minor digits. */
    static String money(BigDecimal d, String currency) {
        if (d == null) return "none";
        BigDecimal s = d.stripTrailingZeros();
        int minor = currency == null ? 0 : MinorUnits.decimals(currency);
        return s.setScale(Math.max(Math.max(s.scale(), 0), minor)).toPlainString();
    }

}
