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
        // A workspace database keeps the staged rows as Parquet beside it (see InputStager#toFiles); in memory, as tables.
        InputStager stager = new InputStager(duck);
        if (duck.file() != null) stager.toFiles(duck.file().resolveSibling("staged"));
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
