package dev.attest.jobs.backfill;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.engine.backfill.ImpactPass;
import dev.attest.io.duck.Duck;
import dev.attest.reports.Json;
import dev.attest.reports.BackfillHtml;
import dev.attest.reports.BackfillPreview;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The preview folder: impact lines (Parquet and CSV), summary.json with totals per currency and the apply command, and
 * report.html saying the same for people.
 */
final class PreviewWriter {
    private final Duck duck;
    private final BackfillRequest request;
    private final String previewId;
    private final PolicyRegistry registry;

    PreviewWriter(Duck duck, BackfillRequest request, String previewId, PolicyRegistry registry) {
        this.duck = duck;
        this.request = request;
        this.previewId = previewId;
        this.registry = registry;
    }

    void write(Path folder, ImpactPass.Counts counts) throws IOException {
        String prefix = ImpactTasklet.PREFIX;
        duck.execute("CREATE OR REPLACE TABLE " + prefix + "_impact AS "
                + ImpactPass.linesSelect("(" + ImpactPass.partSelect(prefix + "_contrib") + ")") + ImpactPass.linesOrder());
        String select = "SELECT * EXCLUDE (original_decision_ids) FROM " + prefix + "_impact" + ImpactPass.linesOrder();
        duck.execute("COPY (" + select + ") TO " + Duck.literal(folder.resolve("impact.parquet").toString()) + " (FORMAT parquet, COMPRESSION zstd)");
        duck.copyCsv(select, folder.resolve("impact.csv"));
        ImpactPass impact = new ImpactPass(duck);
        Map<String, Object> summary = BackfillReport.header(request, previewId);
        summary.put("events", counts.toMap());
        List<ImpactPass.Total> totals = impact.totals(prefix + "_impact", "delta");
        summary.put("totals", BackfillReport.totals(totals));
        List<String> correcting = impact.correctingVersions(prefix);
        summary.put("correcting_versions", correcting);
        Map<String, Long> findings = BackfillReport.findingCounts(duck, "findings_rate", null);
        summary.put("findings_in_window", findings);
        summary.put("inputs", BackfillReport.inputs(request, registry));
        String apply = BackfillReport.applyCommand(request, previewId);
        summary.put("apply_command", apply);
        Json.write(folder.resolve("summary.json"), summary);
        // The same facts for people, with the audit report's look (issue 15).
        Map<String, Long> events = new java.util.LinkedHashMap<>();
        counts.toMap().forEach((k, v) -> events.put(k, ((Number) v).longValue()));
        List<BackfillPreview.Total> shownTotals = new ArrayList<>();
        for (ImpactPass.Total t : totals)
            shownTotals.add(new BackfillPreview.Total(t.currency(), t.lines(), t.events(), t.before(), t.after(), t.delta(), t.credits(), t.debits()));
        List<BackfillPreview.Line> lines = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("SELECT customer_id, meter, billing_period, invoice_id, currency, events_affected, events_restated, "
                + "amount_before, amount_after, delta, versions_before, versions_after, correcting_versions FROM " + prefix + "_impact "
                + "ORDER BY abs(delta) DESC NULLS LAST, customer_id, meter, billing_period, invoice_id NULLS FIRST, currency NULLS FIRST "
                + "LIMIT " + BackfillPreview.LINE_LIMIT))
            lines.add(new BackfillPreview.Line(str(r.get("customer_id")), str(r.get("meter")), str(r.get("billing_period")), str(r.get("invoice_id")),
                    str(r.get("currency")), ((Number) r.get("events_affected")).longValue(), ((Number) r.get("events_restated")).longValue(),
                    (BigDecimal) r.get("amount_before"), (BigDecimal) r.get("amount_after"), (BigDecimal) r.get("delta"),
                    str(r.get("versions_before")), str(r.get("versions_after")), str(r.get("correcting_versions"))));
        long totalLines = duck.queryLong("SELECT count(*) FROM " + prefix + "_impact");
        Files.writeString(folder.resolve("report.html"), BackfillHtml.render(new BackfillPreview(previewId, dev.attest.jobs.ProgramVersion.TEXT,
                request.from(), request.to(), request.asOf(), request.scope().wire(), events, shownTotals, correcting, findings, lines, totalLines, apply)));
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
