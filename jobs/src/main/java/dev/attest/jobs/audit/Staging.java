package dev.attest.jobs.audit;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.engine.audit.PolicyTable;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputSource;
import dev.attest.io.input.InputStager;
import dev.attest.io.input.ScanBounds;
import dev.attest.io.input.StagingReport;
import dev.attest.reports.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;
import org.springframework.batch.core.step.StepContribution;

/** The staging step's work, shared by the audit and the backfill jobs. */
public final class Staging {
    private Staging() {}

    /**
     * System property: how a workspace keeps the staged inputs. {@code duckdb} (the default): tables in the database.
     * {@code parquet}: zstd Parquet files beside it (see {@link InputStager#toFiles}), 0.44 times the room on disk but
     * slower to scan: at 100M events the work folder peaked at 3.2 GB against 6.0 GB, and the audit took 14 to 15
     * minutes against 12 (docs/performance.md, fifth round). At 10M both took the same time.
     */
    public static final String STAGE_FORMAT_PROPERTY = "attest.stage.format";

    static final String DUCKDB = "duckdb", PARQUET = "parquet";

    static String stageFormat() {
        String f = System.getProperty(STAGE_FORMAT_PROPERTY, DUCKDB).trim();
        if (!f.equals(DUCKDB) && !f.equals(PARQUET))
            throw new IllegalArgumentException("-D" + STAGE_FORMAT_PROPERTY + " must be duckdb or parquet, got '" + f + "'");
        return f;
    }

    /**
     * Opens a workspace for a step after staging: fails, naming the file, when an input staging read in place has changed
     * since (see {@link InputStager#checkUnchanged}).
     */
    public static Duck openStaged(Path database) {
        Duck duck = Duck.open(database);
        try {
            InputStager.checkUnchanged(duck);
        } catch (RuntimeException e) {
            duck.close();
            throw e;
        }
        return duck;
    }

    /**
     * Reads and validates both inputs into the workspace (bad rows to quarantine), writes the policy registry as a
     * table beside them and the staging report to {@code stagingReport}, and counts rows read and quarantined on the step.
     */
    public static StagingReport stage(Duck duck, InputSource events, InputSource decisions, String assumeZone, PolicyRegistry registry,
                                      Path stagingReport, StepContribution contribution) throws SQLException, IOException {
        return stage(duck, events, decisions, assumeZone, ScanBounds.ALL, registry, stagingReport, contribution);
    }

    /** As above, reading only what {@code bounds} can need (see {@link InputStager#stage(InputSource, InputSource, String, ScanBounds)}). */
    public static StagingReport stage(Duck duck, InputSource events, InputSource decisions, String assumeZone, ScanBounds bounds,
                                      PolicyRegistry registry, Path stagingReport, StepContribution contribution) throws SQLException, IOException {
        InputStager stager = new InputStager(duck);
        if (duck.file() != null && PARQUET.equals(stageFormat())) stager.toFiles(duck.file().resolveSibling("staged"));
        StagingReport report = stager.stage(events, decisions, assumeZone, bounds);
        try (BufferAllocator allocator = new RootAllocator()) {
            PolicyTable.write((DuckDBConnection) duck.connection(), allocator, registry);
        }
        Json.write(stagingReport, report);
        contribution.getStepExecution().setReadCount(report.events().rowsRead() + report.decisions().rowsRead());
        contribution.incrementFilterCount(report.quarantinedRows());
        return report;
    }
}
