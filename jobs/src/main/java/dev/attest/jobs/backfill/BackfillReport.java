package dev.attest.jobs.backfill;

import dev.attest.core.findings.FindingCode;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.engine.backfill.ImpactPass;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputFiles;
import dev.attest.io.input.InputSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of a backfill's summary.json and manifest.json that preview and apply share. Nothing here reads a
 * clock: the same inputs give byte-identical files, so a restarted apply can be checked against a clean run.
 */
final class BackfillReport {
    static final String FORMAT = "attest-backfill/1";

    /** Codes the rating pass reports per event or decision: the ones a correction of the books can change. */
    static final List<FindingCode> EVENT_CODES = List.of(FindingCode.MISSING_DECISION, FindingCode.DUPLICATE_DECISION,
            FindingCode.AMOUNT_MISMATCH, FindingCode.ROUNDING_DIFFERENCE, FindingCode.OUTCOME_MISMATCH, FindingCode.WRONG_VERSION,
            FindingCode.UNKNOWN_POLICY_VERSION, FindingCode.NOT_YET_RECORDED, FindingCode.MISSING_RULE_REF, FindingCode.NO_POLICY,
            FindingCode.NO_PRICE, FindingCode.POLICY_CONFLICT, FindingCode.CURRENCY_MISMATCH, FindingCode.RETROACTIVE_CORRECTION);

    /** Codes that must not remain on any corrected event: its one decision now is the as-corrected expectation, decided at the cut-off. */
    static final List<FindingCode> MUST_VANISH = List.of(FindingCode.RETROACTIVE_CORRECTION, FindingCode.AMOUNT_MISMATCH,
            FindingCode.ROUNDING_DIFFERENCE, FindingCode.OUTCOME_MISMATCH, FindingCode.DUPLICATE_DECISION, FindingCode.WRONG_VERSION,
            FindingCode.UNKNOWN_POLICY_VERSION, FindingCode.NOT_YET_RECORDED, FindingCode.MISSING_RULE_REF, FindingCode.CURRENCY_MISMATCH);

    private BackfillReport() {}

    static Map<String, Object> header(BackfillRequest r, String previewId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("preview_id", previewId);
        m.put("program_version", dev.attest.jobs.ProgramVersion.TEXT);
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("from", r.from().toString());
        w.put("to", r.to().toString());
        m.put("window", w);
        m.put("as_of", r.asOf().toString());
        m.put("scope", r.scope().wire());
        return m;
    }

    static Map<String, Object> inputs(BackfillRequest r, PolicyRegistry registry) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("events", input("events", r.events()));
        m.put("decisions", input("decisions", r.decisions()));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("path", r.policies());
        p.put("registry_digest", registry.digest());
        p.put("policy_versions", registry.versionCount());
        m.put("policies", p);
        if (r.customers() != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("path", r.customers());
            c.put("files", input("customers", InputSource.files(r.customers())));
            m.put("customers", c);
        }
        return m;
    }

    private static Object input(String name, InputSource s) {
        if (s instanceof InputSource.Sql q) return Map.of("sql", q.query());
        List<Map<String, Object>> files = new ArrayList<>();
        for (InputFiles.DataFile f : InputFiles.resolve(name, ((InputSource.Files) s).path())) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("path", f.path().toString());
            o.put("sha256", InputFiles.sha256(f.path()));
            files.add(o);
        }
        return files;
    }

    static List<Map<String, Object>> totals(List<ImpactPass.Total> totals) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ImpactPass.Total t : totals) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("currency", t.currency());
            m.put("lines", t.lines());
            m.put("events", t.events());
            m.put("amount_before", t.before().toPlainString());
            m.put("amount_after", t.after().toPlainString());
            m.put("delta", t.delta().toPlainString());
            m.put("credits", t.credits().toPlainString());
            m.put("debits", t.debits().toPlainString());
            out.add(m);
        }
        return out;
    }

    /** Findings of the per-event codes in the window, zero included, from a findings table (optionally only some events). */
    static Map<String, Long> findingCounts(Duck duck, String table, String eventFilter) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (FindingCode c : EVENT_CODES) m.put(c.name(), 0L);
        for (Map<String, Object> row : duck.queryRows("SELECT code, count(*) AS n FROM " + table
                + (eventFilter == null ? "" : " WHERE " + eventFilter) + " GROUP BY code"))
            if (m.containsKey((String) row.get("code"))) m.put((String) row.get("code"), ((Number) row.get("n")).longValue());
        return m;
    }

    /** The exact command that applies this preview (it recomputes the id from the inputs and refuses if they changed). */
    static String applyCommand(BackfillRequest r, String previewId) {
        StringBuilder b = new StringBuilder("attest backfill");
        source(b, "events", r.events());
        source(b, "decisions", r.decisions());
        b.append(" --policies ").append(quote(r.policies()));
        b.append(" --from ").append(r.from()).append(" --to ").append(r.to()).append(" --as-of ").append(r.asOf());
        if (r.assumeZone() != null) b.append(" --assume-zone ").append(quote(r.assumeZone()));
        if (r.customers() != null) b.append(" --customers ").append(quote(r.customers()));
        if (r.scope() != dev.attest.engine.backfill.Scope.CORRECTION) b.append(" --scope ").append(r.scope().wire());
        b.append(" --out ").append(quote(r.outDir().toString()));
        return b.append(" --apply --preview ").append(previewId).toString();
    }

    private static void source(StringBuilder b, String name, InputSource s) {
        if (s instanceof InputSource.Files f) b.append(" --").append(name).append(' ').append(quote(f.path()));
        else b.append(" --").append(name).append("-sql ").append(quote(((InputSource.Sql) s).query()));
    }

    private static String quote(String s) {
        return s.matches("[A-Za-z0-9_./:@=+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
