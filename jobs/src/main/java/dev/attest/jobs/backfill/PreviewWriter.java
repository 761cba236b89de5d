package dev.attest.jobs.backfill;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.engine.backfill.ImpactPass;
import dev.attest.io.duck.Duck;
import dev.attest.reports.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The preview folder: impact lines (Parquet and CSV) and summary.json with totals per currency and the apply command. */
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
        summary.put("totals", BackfillReport.totals(impact.totals(prefix + "_impact", "delta")));
        summary.put("correcting_versions", impact.correctingVersions(prefix));
        summary.put("findings_in_window", BackfillReport.findingCounts(duck, "findings_rate", null));
        summary.put("inputs", BackfillReport.inputs(request, registry));
        summary.put("apply_command", BackfillReport.applyCommand(request, previewId));
        Json.write(folder.resolve("summary.json"), summary);
    }
}
