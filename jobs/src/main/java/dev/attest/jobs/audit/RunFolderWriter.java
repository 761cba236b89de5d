package dev.attest.jobs.audit;

import dev.attest.core.checks.Checks;
import dev.attest.core.checks.ThresholdRules;
import dev.attest.core.findings.Finding;
import dev.attest.core.findings.FindingCode;
import dev.attest.core.findings.MoneyClass;
import dev.attest.core.findings.Severity;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.io.Folders;
import dev.attest.jobs.ProgramVersion;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputFiles;
import dev.attest.io.input.StagingReport;
import dev.attest.jobs.lifecycle.LifecycleStore;
import dev.attest.jobs.lifecycle.RunLifecycle;
import dev.attest.jobs.lifecycle.Sighting;
import dev.attest.reports.HtmlReport;
import dev.attest.reports.Json;
import dev.attest.reports.RunSummary;
import dev.attest.reports.SummaryJson;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a run folder (contracts section 7) under a temporary name and renames it into place when complete,
 * so nobody ever reads half a run. Relational output (Parquet, CSV) is written by DuckDB.
 */
final class RunFolderWriter {
    /**
     * money.parquet / money.csv (issue 14): the findings' money summed per currency, class, customer, meter, invoice,
     * billing period and UTC day, so that any of those breakdowns is one GROUP BY away. Core decided each row's class
     * and amount; this only sums them. {@code effect} is null where it sums an unverified amount (correct unknown).
     */
    static final String MONEY_BREAKDOWN = "SELECT coalesce(currency, '?') AS currency, money_class, customer_id, meter, invoice_id, billing_period, "
            + "strftime(CAST(coalesce(event_time, decided_at) AT TIME ZONE 'UTC' AS DATE), '%Y-%m-%d') AS day, count(*) AS findings, "
            + "CAST(sum(money_amount) AS DECIMAL(38,9)) AS amount, CAST(sum(money_effect) AS DECIMAL(38,9)) AS effect "
            + "FROM findings WHERE money_class IS NOT NULL GROUP BY ALL ORDER BY ALL";

    /** Wall-clock times of the run: the one output that differs between identical audits, so not verified. */
    static final String TIMING = "timing.json";

    private final Duck duck;
    private final AuditRequest request;
    private final String runId;
    private final StagingReport staging;
    private final PolicyRegistry registry;
    private final Clock clock;
    private final Instant startedAt;
    private final LifecycleStore lifecycleStore;
    private final java.util.SortedMap<String, String> context;
    private RunLifecycle lifecycle;

    private AuditWorkspace workspaceState;

    /** The run's workspace, whose carried-state record the manifest reports. */
    RunFolderWriter withWorkspace(AuditWorkspace workspace) {
        this.workspaceState = workspace;
        return this;
    }

    RunFolderWriter(Duck duck, AuditRequest request, String runId, StagingReport staging, PolicyRegistry registry, Clock clock,
                    Instant startedAt, LifecycleStore lifecycleStore, java.util.SortedMap<String, String> context) {
        this.context = context;
        this.duck = duck;
        this.request = request;
        this.runId = runId;
        this.staging = staging;
        this.registry = registry;
        this.clock = clock;
        this.startedAt = startedAt;
        this.lifecycleStore = lifecycleStore;
    }

    static final String EXPECTED = "expected.parquet";

    /** The folder a run's outputs are assembled in, renamed to the run folder once complete. */
    static Path partialDir(Path outDir, String runId) {
        return outDir.resolve("." + runId + ".partial");
    }

    Path finalDir() {
        return request.outDir().resolve(runId);
    }

    /** Removes everything in {@code dir} but the file named {@code keep}. */
    private static void clearExcept(Path dir, String keep) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> !p.getFileName().toString().equals(keep)).toList()) Folders.deleteTree(p);
        }
    }

    /** Returns the summary; the run folder exists complete afterwards (or was already complete). */
    RunSummary write() throws IOException {
        Path target = finalDir();
        Path partial = partialDir(request.outDir(), runId);
        thresholdFindings();
        if (Files.exists(target.resolve("manifest.json"))) return withLifecycle(summary(), lifecycle()); // renamed before a crash: complete
        // The rating step wrote expected.parquet here (RatePass leaves it in (customer_id, meter, event_time, event_id)
        // order). Anything else is left by a crash in this step: it starts over.
        if (!Files.isRegularFile(partial.resolve(EXPECTED)))
            throw new IllegalStateException("the rating step's " + EXPECTED + " is missing from " + partial + " (removed after the step?)");
        clearExcept(partial, EXPECTED);
        copy("SELECT * FROM findings", partial.resolve("findings.parquet"), "FORMAT parquet, COMPRESSION zstd");
        copy("SELECT * FROM findings", partial.resolve("findings.csv"), "FORMAT csv, HEADER true");
        copy(MONEY_BREAKDOWN, partial.resolve("money.parquet"), "FORMAT parquet, COMPRESSION zstd");
        copy(MONEY_BREAKDOWN, partial.resolve("money.csv"), "FORMAT csv, HEADER true");
        // Gap rows name the run by its id, as findings do: the command works from the run folder, --out and the one above.
        String gaps = "SELECT * REPLACE (" + dev.attest.engine.audit.LineageGaps.explainCommand(runId, "decision_id", "event_id")
                + " AS explain) FROM lineage_gaps";
        copy(gaps, partial.resolve("lineage_gaps.parquet"), "FORMAT parquet, COMPRESSION zstd");
        copy(gaps, partial.resolve("lineage_gaps.csv"), "FORMAT csv, HEADER true");
        copy("SELECT * FROM lineage_coverage", partial.resolve("lineage_coverage.parquet"), "FORMAT parquet, COMPRESSION zstd");
        copy("SELECT * FROM quarantine ORDER BY input, src_file, src_row", partial.resolve("quarantine.parquet"),
                "FORMAT parquet, COMPRESSION zstd");
        copy("SELECT * FROM quarantine ORDER BY input, src_file, src_row", partial.resolve("quarantine.csv"), "FORMAT csv, HEADER true");

        RunSummary summary = summary();
        Json.write(partial.resolve("summary.json"), SummaryJson.of(summary));
        long t0 = System.nanoTime();
        RunLifecycle lifecycle = lifecycle();
        RunSummary shown = withLifecycle(summary, lifecycle);
        long t1 = System.nanoTime();
        Files.writeString(partial.resolve("report.html"), HtmlReport.render(new ReportQueries(duck).data(shown, request,
                lifecycle == null ? Map.of() : lifecycle.byFingerprint(), lifecycle == null ? null : lifecycle.totals(),
                lifecycle == null ? null : lifecycle.since())));
        if (Boolean.getBoolean("attest.trace"))
            System.err.printf("TRACE write step: lifecycle %d ms, report.html %d ms%n", (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("started_at", summary.startedAt());
        timing.put("finished_at", summary.finishedAt());
        Json.write(partial.resolve(TIMING), timing);
        Json.write(partial.resolve("manifest.json"), manifest(partial));
        if (workspaceState != null) PublishFence.check(workspaceState.dir()); // a lost claim publishes nothing
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        dev.attest.reports.RunIndex.write(request.outDir()); // OUT/index.html over every run folder there
        return shown;
    }

    /**
     * Records this run's findings in the lifecycle store (idempotent) and reads their first-seen, age and latest
     * decision as of this run; null when the run has no lifecycle store.
     */
    private RunLifecycle lifecycle() throws IOException {
        if (lifecycleStore == null) return null;
        if (lifecycle != null) return lifecycle;
        List<Sighting> sightings = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("SELECT fingerprint, code, severity FROM findings ORDER BY fingerprint"))
            sightings.add(new Sighting((String) r.get("fingerprint"), (String) r.get("code"), Severity.parse((String) r.get("severity"))));
        try {
            lifecycle = RunLifecycle.apply(lifecycleStore, runId, request.asOf(), clock.instant(), request.failOn(), sightings, scope(request));
            return lifecycle;
        } catch (SQLException e) {
            throw new IOException("cannot record the findings' lifecycle in the metadata database: " + e.getMessage(), e);
        }
    }

    /**
     * What a run audits, for "since the previous run": where its inputs are (not their content: a later run over
     * grown or corrected data is the same scope) and its window. Near-real-time passes of a span, and repeated
     * audits of one window, share a scope; nightly windows do not.
     */
    static LifecycleStore.Scope scope(AuditRequest r) {
        String key = "attest-scope/1\nevents=" + describe(r.events()) + "\ndecisions=" + describe(r.decisions()) + "\npolicies=" + r.policies()
                + "\ncustomers=" + r.customers() + "\n";
        try {
            String digest = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return new LifecycleStore.Scope(digest.substring(0, 32), r.from(), r.to());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String describe(dev.attest.io.input.InputSource s) {
        return s instanceof dev.attest.io.input.InputSource.Files f ? "files:" + f.path() : "sql:" + ((dev.attest.io.input.InputSource.Sql) s).query();
    }

    /** The lifecycle of this run's findings once {@link #write()} has run; null without a lifecycle store. */
    RunLifecycle lifecycleOfRun() {
        return lifecycle;
    }

    /**
     * The verdict as the process and report.html give it: findings accepted as risk (until a date not yet
     * passed at the as-of) do not count. summary.json keeps the verdict of the data alone, so that it can be
     * re-derived from the inputs (acceptances live in the metadata database, not in the evidence).
     */
    static RunSummary withLifecycle(RunSummary s, RunLifecycle lifecycle) {
        if (lifecycle == null || lifecycle.totals().suppressedFromExit() == 0) return s;
        long counted = s.findingsAtOrAboveFailOn() - lifecycle.totals().suppressedFromExit();
        return new RunSummary(s.runId(), s.programVersion(), s.startedAt(), s.finishedAt(), s.findings(), s.severities(), s.inputs(),
                s.amountAtRisk(), s.coverage(), s.parameters(), s.notes(), s.failOn(), counted > 0 ? 1 : 0, counted, s.money());
    }

    private void copy(String select, Path file, String options) {
        if (options.equals("FORMAT csv, HEADER true")) {
            duck.copyCsv(select, file); // text cells that a spreadsheet would run as a formula are neutralised
            return;
        }
        duck.execute("COPY (" + select + ") TO " + Duck.literal(file.toString()) + " (" + options + ")");
    }

    RunSummary summary() {
        Map<String, Long> findings = new LinkedHashMap<>();
        for (FindingCode c : FindingCode.values()) findings.put(c.name(), 0L);
        for (Map<String, Object> row : duck.queryRows("SELECT code, count(*) AS n FROM findings GROUP BY code"))
            findings.put((String) row.get("code"), ((Number) row.get("n")).longValue());
        Map<String, Long> severities = new LinkedHashMap<>();
        for (Severity s : Severity.values()) severities.put(s.wire(), 0L);
        for (Map<String, Object> row : duck.queryRows("SELECT severity, count(*) AS n FROM findings GROUP BY severity"))
            severities.put((String) row.get("severity"), ((Number) row.get("n")).longValue());
        long failing = 0;
        for (Severity s : Severity.values()) if (s.atLeast(request.failOn())) failing += severities.get(s.wire());

        Map<String, Long> inputs = new LinkedHashMap<>();
        inputs.put("events", staging.events().rowsRead());
        inputs.put("decisions", staging.decisions().rowsRead());
        inputs.put("policy_versions", (long) registry.versionCount());
        inputs.put("quarantined", staging.quarantinedRows());
        inputs.put("events_unique", staging.events().stagedRows());
        inputs.put("events_in_window", duck.queryLong("SELECT count(*) FROM expected"));
        inputs.put("duplicate_event_deliveries", staging.events().duplicateDeliveries());
        inputs.put("conflicting_event_ids", staging.events().conflictingIds());
        inputs.put("duplicate_decision_deliveries", staging.decisions().duplicateDeliveries());
        inputs.put("decisions_in_scope", duck.queryLong(dev.attest.engine.audit.LineageGaps.DECISIONS_IN_SCOPE));
        long skipped = staging.events().skippedFiles().size() + staging.decisions().skippedFiles().size();
        if (skipped > 0) inputs.put("files_skipped", skipped);

        Map<String, BigDecimal> risk = new LinkedHashMap<>();
        for (Map<String, Object> row : duck.queryRows("SELECT coalesce(currency, '?') AS currency, sum(abs(difference)) AS risk FROM findings "
                + "WHERE code IN (" + FindingCode.atRiskSqlList() + ") GROUP BY ALL ORDER BY currency"))
            risk.put((String) row.get("currency"), (BigDecimal) row.get("risk"));
        BigDecimal coverage = (BigDecimal) duck.queryValue("SELECT coverage FROM lineage_coverage WHERE breakdown = 'overall'");

        List<String> notes = new ArrayList<>();
        for (String c : staging.doubleConversions())
            notes.add("column " + c + " was floating point (DOUBLE) and was converted through its shortest decimal form");
        long provisional = duck.queryLong("SELECT count(*) FROM expected WHERE provisional");
        if (provisional > 0)
            notes.add(provisional + " expected amount(s) use volume pricing in a billing period still open at the cut-off: provisional");
        if (context.containsKey("note")) notes.add(context.get("note"));
        if ("true".equals(context.get("late")))
            notes.add("ran late: " + context.getOrDefault("schedule", "a scheduled audit") + " window [" + context.get("window_start") + ", "
                    + context.get("window_end") + ") was due at " + context.get("due_at") + " and started at " + context.get("started_at"));
        if (staging.quarantinedRows() > 0)
            notes.add(staging.quarantinedRows() + " input row(s) were quarantined: see quarantine.csv for file, row and reason");
        for (var in : java.util.List.of(staging.events(), staging.decisions())) {
            for (var f : in.files())
                if (f.sizeBytes() == 0) notes.add(in.input() + " file " + f.path() + " is empty: 0 rows read from it");
            if (!"none".equals(in.source()) && in.rowsRead() == 0)
                notes.add("the " + in.input() + " input yielded 0 rows in all");
        }

        Map<String, Object> params = new LinkedHashMap<>();
        params.put("events", AuditRequest.describe(request.events()));
        params.put("decisions", AuditRequest.describe(request.decisions()));
        params.put("policies", request.policies());
        if (request.customers() != null) params.put("customers", request.customers());
        if (request.checks() != null) params.put("checks", request.checks());
        params.putAll(parameters());
        return new RunSummary(runId, ProgramVersion.TEXT, startedAt.toString(), clock.instant().toString(), findings, severities, inputs,
                risk, coverage, params, notes, request.failOn().wire(), failing > 0 ? 1 : 0, failing, moneyByClass());
    }

    /** Currency -> class -> the sum of the findings' money_amount: every class of each currency with money, zero included. */
    Map<String, Map<String, BigDecimal>> moneyByClass() {
        Map<String, Map<String, BigDecimal>> out = new java.util.TreeMap<>();
        for (Map<String, Object> row : duck.queryRows("SELECT coalesce(currency, '?') AS currency, money_class, sum(money_amount) AS amount "
                + "FROM findings WHERE money_class IS NOT NULL GROUP BY ALL ORDER BY ALL")) {
            Map<String, BigDecimal> byClass = out.computeIfAbsent((String) row.get("currency"), c -> {
                Map<String, BigDecimal> m = new LinkedHashMap<>();
                for (MoneyClass k : MoneyClass.values()) m.put(k.wire(), BigDecimal.ZERO);
                return m;
            });
            byClass.put((String) row.get("money_class"), (BigDecimal) row.get("amount"));
        }
        return out;
    }

    /**
     * The checks file's run-failing thresholds (issue 14), decided in core over what the run measured; each one crossed
     * is a finding row of its own, appended to the findings (idempotent: a restarted write step replaces them).
     */
    void thresholdFindings() {
        Checks checks = request.checksOrNone();
        duck.execute("DELETE FROM findings WHERE starts_with(code, 'THRESHOLD_')");
        if (!checks.thresholds().any()) return;
        Map<String, Map<MoneyClass, BigDecimal>> money = new LinkedHashMap<>();
        moneyByClass().forEach((cur, byClass) -> {
            Map<MoneyClass, BigDecimal> m = new java.util.EnumMap<>(MoneyClass.class);
            byClass.forEach((k, v) -> m.put(MoneyClass.parse(k), v));
            money.put(cur, m);
        });
        BigDecimal coverage = (BigDecimal) duck.queryValue("SELECT coverage FROM lineage_coverage WHERE breakdown = 'overall'");
        ThresholdRules.Measures measures = new ThresholdRules.Measures(staging.events().rowsRead() + staging.decisions().rowsRead(),
                staging.quarantinedRows(), coverage, money);
        for (Finding f : ThresholdRules.evaluate(checks, measures)) {
            // A stable fingerprint per threshold (and, for money, per currency and class), whatever was measured.
            String key = f.code().name() + "|" + (f.currency() == null ? "" : f.currency()) + "|"
                    + (f.code() == FindingCode.THRESHOLD_MONEY ? f.explanation().substring(0, f.explanation().indexOf(' ')) : "");
            duck.execute("INSERT INTO findings (run_id, fingerprint, code, severity, currency, expected_amount, actual_amount, difference, explanation) "
                    + "VALUES (" + Duck.literal(runId) + ", substr(sha256(" + Duck.literal(key) + "), 1, 16), " + Duck.literal(f.code().name()) + ", "
                    + Duck.literal(f.severity().wire()) + ", " + (f.currency() == null ? "NULL" : Duck.literal(f.currency())) + ", "
                    + dec(f.expectedAmount()) + ", " + dec(f.actualAmount()) + ", " + dec(f.difference()) + ", " + Duck.literal(f.explanation()) + ")");
        }
    }

    private static String dec(BigDecimal x) {
        return x == null ? "NULL" : "CAST('" + x.toPlainString() + "' AS DECIMAL(38,9))";
    }

    /** The parameters that decide what a run finds, as recorded in summary.json and manifest.json. */
    private Map<String, Object> parameters() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("from", request.from() == null ? null : request.from().toString());
        params.put("to", request.to() == null ? null : request.to().toString());
        params.put("as_of", request.asOf().toString());
        params.put("tolerance", request.tolerance().toPlainString());
        params.put("late_after", request.lateAfter() == null ? null : request.lateAfter().toString());
        params.put("fail_on", request.failOn().wire());
        params.put("assume_zone", request.assumeZone());
        // Reported, not identifying; pinned in the manifest so that verify passes it to the re-run.
        context.forEach((k, v) -> params.put("context." + k, v));
        return params;
    }

    private Map<String, Object> manifest(Path folder) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", runId);
        m.put("program_version", ProgramVersion.TEXT);
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("events", input(staging.events()));
        inputs.put("decisions", input(staging.decisions()));
        m.put("inputs", inputs);
        Map<String, Object> policies = new LinkedHashMap<>();
        policies.put("path", request.policies());
        policies.put("registry_digest", registry.digest());
        policies.put("policy_versions", registry.versionCount());
        policies.put("files", policyFiles(request.policies()));
        m.put("policies", policies);
        if (request.customers() != null) m.put("customers", customers(request.customers()));
        if (request.checks() != null) {
            // Pinned like every input: verify reads it again and refuses a changed one.
            Map<String, Object> c = new LinkedHashMap<>();
            Path f = Path.of(request.checks());
            c.put("path", f.toString());
            c.put("size", Files.size(f));
            c.put("sha256", InputFiles.sha256(f));
            m.put("checks", c);
        }
        Map<String, Object> carried = carriedState();
        if (carried != null) m.put("carried_state", carried);
        m.put("parameters", parameters());
        List<Map<String, Object>> outputs = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.equals("manifest.json") || name.equals(TIMING)) continue;
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("file", f.getFileName().toString());
                o.put("size", Files.size(f));
                o.put("sha256", InputFiles.sha256(f));
                outputs.add(o);
            }
        }
        m.put("outputs", outputs);
        m.put("unverified", Map.of(TIMING, "wall-clock start and end of the run"));
        return m;
    }

    /**
     * The carried states of the run (see {@link CarriedStates}): the one it started from, pinned by the SHA-256 of its
     * files, or the reason it was not used; the one it left for the next window. Null when there is neither.
     */
    private Map<String, Object> carriedState() throws IOException {
        Map<String, Object> c = workspaceState == null ? null : CarriedStates.read(workspaceState);
        if (c == null) return null;
        Map<String, Object> out = new LinkedHashMap<>();
        Object id = c.get("state");
        if (id != null) {
            Map<String, Object> from = new LinkedHashMap<>();
            from.put("id", id);
            from.put("used", c.get("used"));
            if (c.get("note") != null) from.put("not_used_because", c.get("note"));
            Path parquet = dev.attest.engine.state.StateStore.parquet(request.outDir(), id.toString());
            if (Files.isRegularFile(parquet)) from.put("sha256", InputFiles.sha256(parquet));
            out.put("started_from", from);
        }
        if (c.get("written") != null) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("id", c.get("written"));
            w.put("partitions", c.get("written_partitions"));
            out.put("written", w);
        }
        return out.isEmpty() ? null : out;
    }

    /** The customers input (contracts section 10): its path, how many customers it lists, and each file pinned. */
    private static Map<String, Object> customers(String path) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("path", path);
        c.put("customers", dev.attest.io.customers.CustomersLoader.load(path).size());
        List<Map<String, Object>> files = new ArrayList<>();
        for (InputFiles.DataFile f : InputFiles.resolve("customers", path)) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("path", f.path().toString());
            o.put("size", Files.size(f.path()));
            o.put("sha256", InputFiles.sha256(f.path()));
            files.add(o);
        }
        c.put("files", files);
        return c;
    }

    /** Each policy file (path, size, SHA-256), so that verify can name the one that changed. */
    private static List<Map<String, Object>> policyFiles(String policies) throws IOException {
        Path p = Path.of(policies).toAbsolutePath().normalize();
        List<Path> files;
        if (Files.isDirectory(p)) {
            try (Stream<Path> walk = Files.walk(p)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
        } else files = List.of(p);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Path f : files) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("path", f.toString());
            o.put("size", Files.size(f));
            o.put("sha256", InputFiles.sha256(f));
            out.add(o);
        }
        return out;
    }

    private static Map<String, Object> input(StagingReport.InputReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", r.source());
        m.put("location", r.location());
        m.put("rows", r.rowsRead());
        m.put("files", r.files().stream().map(StagingReport.FileRead::json).toList());
        if (!r.skippedFiles().isEmpty()) {
            List<Map<String, Object>> skipped = new ArrayList<>();
            for (dev.attest.io.input.InputSelection.Skipped s : r.skippedFiles()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("path", s.path());
                o.put("reason", s.reason());
                skipped.add(o);
            }
            m.put("skipped", skipped);
        }
        return m;
    }
}
