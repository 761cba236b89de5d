package dev.attest.jobs.backfill;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.engine.audit.RatePass;
import dev.attest.engine.backfill.ImpactPass;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputFiles;
import dev.attest.jobs.audit.Progress;
import dev.attest.reports.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;

/**
 * Completes the correction dataset being written: the adjustments (the day parts added up per customer,
 * meter, period, invoice and currency), the verification, summary.json and manifest.json. The caller renames
 * the folder into place.
 *
 * <p>Verification re-checks the corrected books, not our intentions: the books are the original decisions
 * minus those superseded plus the corrected decisions as written to the dataset's files; the audit's rating
 * pass checks them at the same cut-off. The dataset is published only when no corrected event still
 * disagrees with the as-corrected view and none carries a finding of {@link BackfillReport#MUST_VANISH}.
 */
final class CorrectionWriter {
    static final String PREFIX = ImpactTasklet.PREFIX;

    private final Duck duck;
    private final BackfillStepSupport s;
    private final PolicyRegistry registry;

    CorrectionWriter(Duck duck, BackfillStepSupport s, PolicyRegistry registry) {
        this.duck = duck;
        this.s = s;
        this.registry = registry;
    }

    /** The verification found corrected books that still disagree: nothing is published. */
    static final class VerificationFailed extends IllegalStateException {
        VerificationFailed(String message) {
            super(message);
        }
    }

    record Written(long decisions, long lines) {}

    Written write(Path folder) throws IOException, SQLException {
        String id = s.previewId();
        Path parts = BackfillLayout.partsDir(s.workspace());
        String lines = "(" + ImpactPass.linesSelect("read_parquet(" + Duck.literal(parts.resolve("*.parquet").toString()) + ")") + ")";
        String adjustments = "SELECT " + Duck.literal(id) + " AS correction_id, " + Duck.literal(id) + " || '-' || substr(md5(concat_ws('|', "
                + "customer_id, meter, billing_period, coalesce(invoice_id, ''), coalesce(currency, ''))), 1, 16) AS adjustment_id, "
                + "customer_id, meter, billing_period, invoice_id, currency, CASE WHEN delta < 0 THEN 'credit' ELSE 'debit' END AS kind, "
                + "delta AS amount, amount_before, amount_after, events_affected, events_restated, original_decisions, original_decision_ids, "
                + "correcting_versions, versions_before, versions_after FROM " + lines + " WHERE delta <> 0" + ImpactPass.linesOrder();
        duck.execute("CREATE OR REPLACE TABLE bf_adjustments AS " + adjustments);
        duck.execute("COPY (SELECT * FROM bf_adjustments" + ImpactPass.linesOrder() + ") TO "
                + Duck.literal(folder.resolve("adjustments.parquet").toString()) + " (FORMAT parquet, COMPRESSION zstd)");
        duck.copyCsv("SELECT * REPLACE (array_to_string(original_decision_ids, ' ') AS original_decision_ids) FROM bf_adjustments"
                + ImpactPass.linesOrder(), folder.resolve("adjustments.csv"));
        long lineCount = duck.queryLong("SELECT count(*) FROM bf_adjustments");

        String corrected = "read_parquet(" + Duck.literal(folder.resolve("corrected_decisions").resolve("*").resolve("*.parquet").toString())
                + ", hive_partitioning = false)";
        long decisions = duck.queryLong("SELECT count(*) FROM " + corrected);
        long superseded = duck.queryLong("SELECT count(*) FROM (SELECT DISTINCT unnest(superseded_decision_ids) FROM " + corrected + ")");
        Map<String, Object> verification = verify(corrected);

        ImpactPass impact = new ImpactPass(duck);
        Map<String, Object> summary = BackfillReport.header(s.request(), id);
        summary.put("correction_id", id);
        summary.put("events", impact.counts(PREFIX).toMap());
        summary.put("totals", BackfillReport.totals(impact.totals("bf_adjustments", "amount")));
        summary.put("correcting_versions", impact.correctingVersions(PREFIX));
        Map<String, Object> written = new LinkedHashMap<>();
        written.put("corrected_decisions", decisions);
        written.put("superseded_decisions", superseded);
        written.put("adjustment_lines", lineCount);
        written.put("days", duck.queryLong("SELECT count(DISTINCT strftime(event_time, '%Y-%m-%d')) FROM " + corrected));
        summary.put("written", written);
        summary.put("verification", verification);
        Json.write(folder.resolve("summary.json"), summary);

        Map<String, Object> manifest = BackfillReport.header(s.request(), id);
        manifest.put("correction_id", id);
        manifest.put("correcting_versions", impact.correctingVersions(PREFIX));
        manifest.put("inputs", BackfillReport.inputs(s.request(), registry));
        manifest.put("books", "the original decisions without superseded_decision_ids of corrected_decisions, plus corrected_decisions");
        manifest.put("outputs", outputs(folder));
        Json.write(folder.resolve("manifest.json"), manifest);
        return new Written(decisions, lineCount);
    }

    private Map<String, Object> verify(String corrected) throws SQLException, IOException {
        duck.execute("CREATE OR REPLACE TABLE bf_superseded AS SELECT DISTINCT unnest(superseded_decision_ids) AS decision_id FROM " + corrected);
        duck.execute("CREATE OR REPLACE TABLE decisions_books AS SELECT d.* FROM decisions d ANTI JOIN bf_superseded x ON d.decision_id = x.decision_id "
                + "UNION ALL BY NAME SELECT " + ImpactPass.DECISION_COLUMNS + ", 'corrected_decisions' AS src_file, CAST(NULL AS BIGINT) AS src_row FROM "
                + corrected);
        try (BufferAllocator allocator = new RootAllocator()) {
            new RatePass((DuckDBConnection) duck.connection(), allocator, registry, s.reconciler(registry), s.request().window(),
                    StageRateTasklets.BATCH_ROWS, "decisions_books").run("expected_after", "findings_after", new Progress("verifying", System.err));
        }
        ImpactPass after = new ImpactPass(duck);
        after.build("bfafter", "decisions_books", "expected_after", s.request().scope());
        String correctedEvents = "event_id IN (SELECT event_id FROM " + PREFIX + "_events WHERE in_scope)";
        long stillDisagreeing = duck.queryLong("SELECT count(*) FROM bfafter_events WHERE disagreeing AND " + correctedEvents);
        Map<String, Long> onCorrected = BackfillReport.findingCounts(duck, "findings_after", correctedEvents);
        long remaining = 0;
        for (var code : BackfillReport.MUST_VANISH) remaining += onCorrected.get(code.name());

        Map<String, Object> v = new LinkedHashMap<>();
        Map<String, Object> books = new LinkedHashMap<>();
        books.put("before", impact(PREFIX).toMap());
        books.put("after", impact("bfafter").toMap());
        v.put("events", books);
        Map<String, Object> findings = new LinkedHashMap<>();
        Map<String, Long> before = BackfillReport.findingCounts(duck, "findings_rate", null);
        Map<String, Long> afterCounts = BackfillReport.findingCounts(duck, "findings_after", null);
        for (String code : before.keySet()) {
            Map<String, Long> pair = new LinkedHashMap<>(); // ordered: the file must be byte-identical run to run
            pair.put("before", before.get(code));
            pair.put("after", afterCounts.get(code));
            findings.put(code, pair);
        }
        v.put("findings_in_window", findings);
        v.put("corrected_events_still_disagreeing", stillDisagreeing);
        v.put("findings_on_corrected_events_after", onCorrected);
        v.put("must_vanish_on_corrected_events", BackfillReport.MUST_VANISH.stream().map(Enum::name).toList());
        boolean clean = stillDisagreeing == 0 && remaining == 0;
        v.put("clean", clean);
        if (!clean)
            throw new VerificationFailed("the corrected books do not verify: " + stillDisagreeing + " corrected event(s) still disagree with the "
                    + "as-corrected view, " + remaining + " finding(s) of " + BackfillReport.MUST_VANISH + " remain on corrected events; nothing was published");
        return v;
    }

    private ImpactPass.Counts impact(String prefix) {
        return new ImpactPass(duck).counts(prefix);
    }

    private static List<Map<String, Object>> outputs(Path folder) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = folder.relativize(f).toString().replace('\\', '/');
                if (name.equals("manifest.json")) continue;
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("file", name);
                o.put("size", Files.size(f));
                o.put("sha256", InputFiles.sha256(f));
                out.add(o);
            }
        }
        return out;
    }
}
