package dev.attest.lineage.report;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.io.Folders;
import dev.attest.engine.audit.AuditWindow;
import dev.attest.engine.audit.LineageGaps;
import dev.attest.core.rating.BillingCycles;
import dev.attest.io.customers.CustomersLoader;
import dev.attest.io.input.InputFiles;

import dev.attest.engine.audit.PolicyTable;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputException;
import dev.attest.io.input.InputSource;
import dev.attest.io.input.InputStager;
import dev.attest.io.input.StagingReport;
import dev.attest.io.policy.PolicyLoader;
import dev.attest.reports.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;

/**
 * The standalone lineage-gap report ({@code attest lineage}): stages the inputs and the policy registry exactly
 * as the audit does, and writes the gap report and coverage without rating anything. The same tables come out
 * of every audit run ({@link LineageGaps} is shared).
 *
 * <p>The folder {@code OUT/lineage-<as-of>-<digest>/} is written under a temporary name and renamed when
 * complete; its name covers the parameters and the inputs' SHA-256, so a repeated identical request finds it
 * complete and leaves it as it is.
 */
public final class LineageReport {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** What to trace. {@code asOf} decides which billing periods are closed (a charge there must name its invoice). */
    public record Request(InputSource events, InputSource decisions, String policies, Path outDir, Instant from, Instant to,
                          Instant asOf, String assumeZone, String customers) {
        public Request {
            if (events == null) throw new IllegalArgumentException("--events (or --events-sql) is required");
            if (decisions == null) throw new IllegalArgumentException("--decisions (or --decisions-sql) is required");
            if (policies == null || policies.isBlank()) throw new IllegalArgumentException("--policies is required");
            if (outDir == null) throw new IllegalArgumentException("--out is required");
            if (asOf == null) throw new IllegalArgumentException("the knowledge cut-off is required");
            if (from != null && to != null && !to.isAfter(from)) throw new IllegalArgumentException("--to must be after --from");
            outDir = outDir.toAbsolutePath().normalize();
            events = events.absolute();
            decisions = decisions.absolute();
            policies = InputSource.absolutePath(policies);
            customers = customers == null || customers.isBlank() ? null : InputSource.absolutePath(customers);
        }

        /** Without a customers input: every customer's periods are UTC calendar months. */
        public Request(InputSource events, InputSource decisions, String policies, Path outDir, Instant from, Instant to,
                       Instant asOf, String assumeZone) {
            this(events, decisions, policies, outDir, from, to, asOf, assumeZone, null);
        }
    }

    /** What the report says: gaps per kind and the share of decisions with an intact chain. */
    public record Result(Path folder, long decisionsInScope, Map<String, Long> gaps, BigDecimal coverage) {
        public long totalGaps() {
            return gaps.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    public static final List<String> GAP_KINDS = List.of("EVENT_WITHOUT_DECISION", "DECISION_WITHOUT_EVENT", "DECISION_WITHOUT_RULE_REF",
            "RULE_REF_UNRESOLVED", "VERSION_WITHOUT_CHANGE_REF", "CHARGE_WITHOUT_INVOICE");

    private LineageReport() {}

    /** @throws InputException when an input cannot be used at all (the message names the file) */
    public static Result run(Request r) {
        PolicyRegistry registry = new PolicyRegistry(PolicyLoader.load(r.policies()));
        BillingCycles cycles = CustomersLoader.load(r.customers()); // reference data: a bad row stops before any work
        Path work;
        try {
            Files.createDirectories(r.outDir());
            work = Files.createTempDirectory(r.outDir(), ".lineage-work-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a workspace under " + r.outDir(), e);
        }
        try (Duck duck = Duck.open(work.resolve("lineage.duckdb")); BufferAllocator allocator = new RootAllocator()) {
            StagingReport staging = new InputStager(duck).stage(r.events(), r.decisions(), r.assumeZone());
            try {
                PolicyTable.write((DuckDBConnection) duck.connection(), allocator, registry);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot load the policy registry into DuckDB: " + e.getMessage(), e);
            }
            LineageGaps gaps = new LineageGaps(duck, new AuditWindow(r.from(), r.to(), r.asOf(), cycles));
            gaps.build();
            String id = "lineage-" + STAMP.format(r.asOf()) + "-" + identity(r, staging, registry).substring(0, 10);
            Path target = r.outDir().resolve(id);
            if (!Files.exists(target.resolve("lineage.json"))) write(duck, r, staging, registry, id, target);
            Map<String, Long> counts = new LinkedHashMap<>();
            for (String k : GAP_KINDS) counts.put(k, 0L);
            for (Map<String, Object> row : duck.queryRows("SELECT gap, count(*) AS n FROM lineage_gaps GROUP BY gap"))
                counts.put((String) row.get("gap"), ((Number) row.get("n")).longValue());
            return new Result(target, duck.queryLong(dev.attest.engine.audit.LineageGaps.DECISIONS_IN_SCOPE), counts, gaps.overallCoverage());
        } finally {
            Folders.deleteTree(work);
        }
    }

    private static void write(Duck duck, Request r, StagingReport staging, PolicyRegistry registry, String id, Path target) {
        Path partial = r.outDir().resolve("." + id + ".partial");
        try {
            Folders.deleteTree(partial);
            Files.createDirectories(partial);
            // The explain command names this folder by its id, so it works from the folder, from --out and from the one above.
            String gaps = "SELECT * REPLACE (" + dev.attest.engine.audit.LineageGaps.explainCommand(id, "decision_id", "event_id")
                    + " AS explain) FROM lineage_gaps";
            copy(duck, gaps, partial.resolve("lineage_gaps.parquet"), "FORMAT parquet, COMPRESSION zstd");
            copy(duck, gaps, partial.resolve("lineage_gaps.csv"), "FORMAT csv, HEADER true");
            copy(duck, "SELECT * FROM lineage_coverage", partial.resolve("lineage_coverage.parquet"), "FORMAT parquet, COMPRESSION zstd");
            copy(duck, "SELECT * FROM lineage_coverage", partial.resolve("lineage_coverage.csv"), "FORMAT csv, HEADER true");
            copy(duck, "SELECT * FROM quarantine ORDER BY input, src_file, src_row", partial.resolve("quarantine.csv"), "FORMAT csv, HEADER true");
            Json.write(partial.resolve("lineage.json"), summary(duck, r, staging, registry, id));
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static Map<String, Object> summary(Duck duck, Request r, StagingReport staging, PolicyRegistry registry, String id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("report_id", id);
        m.put("coverage", plain((BigDecimal) duck.queryValue("SELECT coverage FROM lineage_coverage WHERE breakdown = 'overall'")));
        m.put("decisions_in_scope", duck.queryLong(dev.attest.engine.audit.LineageGaps.DECISIONS_IN_SCOPE));
        m.put("decisions_intact", duck.queryLong("SELECT intact FROM lineage_coverage WHERE breakdown = 'overall'"));
        Map<String, Long> gaps = new LinkedHashMap<>();
        for (String k : GAP_KINDS) gaps.put(k, 0L);
        for (Map<String, Object> row : duck.queryRows("SELECT gap, count(*) AS n FROM lineage_gaps GROUP BY gap"))
            gaps.put((String) row.get("gap"), ((Number) row.get("n")).longValue());
        m.put("gaps", gaps);
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("events", staging.events().rowsRead());
        inputs.put("decisions", staging.decisions().rowsRead());
        inputs.put("policy_versions", registry.versionCount());
        inputs.put("quarantined", staging.quarantinedRows());
        m.put("inputs", inputs);
        // What `attest explain` needs to re-read exactly these inputs (the manifest's shape): a lineage report has no manifest.
        Map<String, Object> sources = new LinkedHashMap<>();
        sources.put("events", source(staging.events()));
        sources.put("decisions", source(staging.decisions()));
        m.put("sources", sources);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("events", describe(r.events()));
        params.put("decisions", describe(r.decisions()));
        params.put("policies", r.policies());
        params.put("registry_digest", registry.digest());
        params.put("from", r.from() == null ? null : r.from().toString());
        params.put("to", r.to() == null ? null : r.to().toString());
        params.put("as_of", r.asOf().toString());
        params.put("assume_zone", r.assumeZone());
        if (r.customers() != null) params.put("customers", r.customers());
        m.put("parameters", params);
        if (r.customers() != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("path", r.customers());
            List<Map<String, Object>> files = new ArrayList<>();
            for (InputFiles.DataFile f : InputFiles.resolve("customers", r.customers()))
                files.add(Map.of("path", f.path().toString(), "sha256", InputFiles.sha256(f.path())));
            c.put("files", files);
            m.put("customers", c);
        }
        m.put("closed_period", "a charged decision must name its invoice once the billing period of its event has ended at or "
                + "before as_of: the customer's own cycle when the customers input gives one (contracts section 10), else the "
                + "calendar month (UTC)");
        return m;
    }

    private static Map<String, Object> source(StagingReport.InputReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", r.source());
        m.put("location", r.location());
        m.put("files", r.files().stream().map(StagingReport.FileRead::json).toList());
        return m;
    }

    private static String identity(Request r, StagingReport staging, PolicyRegistry registry) {
        StringBuilder sb = new StringBuilder("attest-lineage/1\n");
        sb.append("from=").append(r.from()).append("\nto=").append(r.to()).append("\nas_of=").append(r.asOf())
                .append("\nassume_zone=").append(r.assumeZone()).append("\nregistry=").append(registry.digest()).append('\n');
        if (r.customers() != null)
            for (InputFiles.DataFile f : InputFiles.resolve("customers", r.customers()))
                sb.append("customers=").append(f.path()).append(' ').append(InputFiles.sha256(f.path())).append('\n');
        for (StagingReport.InputReport in : List.of(staging.events(), staging.decisions())) {
            sb.append(in.input()).append('=').append(in.source()).append(' ').append(in.location()).append('\n');
            for (StagingReport.FileRead f : in.files()) sb.append(f.path()).append(' ').append(f.sha256()).append('\n');
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String describe(InputSource s) {
        return s instanceof InputSource.Files f ? f.path() : "sql:" + ((InputSource.Sql) s).query();
    }

    private static BigDecimal plain(BigDecimal x) {
        BigDecimal s = x.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    private static void copy(Duck duck, String select, Path file, String options) {
        if (options.equals("FORMAT csv, HEADER true")) {
            duck.copyCsv(select, file); // text cells that a spreadsheet would run as a formula are neutralised
            return;
        }
        duck.execute("COPY (" + select + ") TO " + Duck.literal(file.toString()) + " (" + options + ")");
    }

}
