package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.core.checks.Checks;
import dev.attest.core.findings.Severity;
import dev.attest.io.checks.ChecksLoader;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.jobs.audit.AuditOutcome;
import dev.attest.jobs.audit.AuditRequest;
import dev.attest.jobs.audit.CarriedStates;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "audit", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "Audit live decisions against the policy versions that applied: findings, lineage gaps, report.", sortOptions = false, description = {
                "Re-rate usage events against the policy version that applied to each, compare with the live decisions, and "
                        + "write findings, expectations, lineage gaps, summary.json, manifest.json and report.html into a new run folder "
                        + "OUT/<run-id>/ (its path is the last line printed).",
                "Exit status: 0 no finding at or above --fail-on, 1 findings at or above it, 2 bad usage or input, 3 internal failure."})
public final class AuditCommand implements Callable<Integer> {

    static final class EventsSource {
        @Option(names = "--events", paramLabel = "PATH", description = "Usage events: a Parquet/CSV/JSON Lines file, a folder or a glob.")
        String path;
        @Option(names = "--events-sql", paramLabel = "SQL", description = "Or a DuckDB query over your own files whose columns follow the events contract.")
        String sql;
    }

    static final class DecisionsSource {
        @Option(names = "--decisions", paramLabel = "PATH", description = "Live decisions: a file, a folder or a glob.")
        String path;
        @Option(names = "--decisions-sql", paramLabel = "SQL", description = "Or a DuckDB query whose columns follow the decisions contract.")
        String sql;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    EventsSource events;

    @ArgGroup(exclusive = true, multiplicity = "1")
    DecisionsSource decisions;

    @Option(names = "--policies", required = true, paramLabel = "PATH",
            description = "A folder of YAML/JSON policy files, or a flat table (Parquet/CSV/JSONL) with one row per version.")
    String policies;

    @Option(names = "--customers", paramLabel = "PATH",
            description = "Billing cycles per customer (customer_id, billing_anchor_day, billing_zone): a Parquet/CSV/JSON Lines file, "
                    + "a folder or a glob. Customers it does not list, and every customer without it, are billed on UTC calendar months.")
    String customers;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where run folders are written.")
    Path out;

    @Option(names = "--from", paramLabel = "T", converter = Times.InstantConverter.class,
            description = "Start of the window on event_time, inclusive (2026-01-01 or 2026-01-01T00:00:00Z).")
    Instant from;

    @Option(names = "--to", paramLabel = "T", converter = Times.InstantConverter.class, description = "End of the window, exclusive.")
    Instant to;

    @Option(names = "--as-of", paramLabel = "T", converter = Times.InstantConverter.class,
            description = "Knowledge cut-off of the as-corrected view (default: the run's start). Give it to make a run repeatable and restartable.")
    Instant asOf;

    @Option(names = "--tolerance", paramLabel = "DECIMAL",
            description = "Amount differences above half a minor unit but within this are accepted (default: the checks file's "
                    + "tolerance.default, else 0). Wins over the checks file's default; its per-currency and per-meter tolerances still apply.")
    BigDecimal tolerance;

    @Option(names = "--late-after", paramLabel = "DURATION", converter = Times.DurationConverter.class,
            description = "Report LATE_DECISION when decided_at - event_time exceeds this (PT1H, 90s, 15m, 2h, 1d). No default.")
    Duration lateAfter;

    @Option(names = "--fail-on", paramLabel = "SEVERITY",
            description = "Lowest severity that fails the run: info, warning, error, critical (default: the checks file's fail_on, else error).")
    String failOn;

    @Option(names = "--checks", paramLabel = "FILE",
            description = "Checks file (YAML or JSON): severity per code, tolerance per currency and meter, run-failing thresholds "
                    + "(quarantine rate, lineage coverage, money per class). Pinned in the manifest. --tolerance and --fail-on win over it.")
    String checks;

    @Option(names = "--assume-zone", paramLabel = "ZONE",
            description = "Zone of timestamps that carry no offset, e.g. America/New_York. Without it such timestamps are bad rows.")
    String assumeZone;

    @Option(names = "--full", description = "Rate every billing period the window touches from its start, even when the audit of the "
            + "previous window left the periods' state for this one (see 'Incremental audits' in the README).")
    boolean full;

    @Option(names = "--metadata", paramLabel = "JDBC_URL",
            description = "Run-history database (Spring Batch JobRepository). Default: $ATTEST_METADATA_URL, else an H2 file in ~/.attest.")
    String metadata;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "embedded",
            description = "embedded (default): DuckDB and the core on this JVM; spark: the same audit rated on Apache Spark, in a "
                    + "local runner with Spark on its class path (see 'Beyond one machine' in the README).")
    String engine;

    @Option(names = "--master", paramLabel = "URL", description = "With --engine spark: the Spark master (default local[2]).")
    String master;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if ("spark".equals(engine)) return SparkRunner.run("audit", spec.commandLine().getParseResult().originalArgs());
        if (!"embedded".equals(engine)) {
            System.err.println("attest: --engine must be embedded or spark, got '" + engine + "'");
            return 2;
        }
        if (master != null) {
            System.err.println("attest: --master is for --engine spark");
            return 2;
        }
        AuditRequest request;
        try {
            validate();
            if (assumeZone != null) ZoneId.of(assumeZone);
            // Command-line options win over the checks file; the file's values over the defaults (0, error).
            Checks file = ChecksLoader.load(checks);
            BigDecimal effectiveTolerance = tolerance != null ? tolerance : file.tolerance() != null ? file.tolerance() : BigDecimal.ZERO;
            Severity effectiveFailOn = failOn != null ? Severity.parse(failOn) : file.failOn() != null ? file.failOn() : Severity.ERROR;
            request = new AuditRequest(
                    events.path != null ? InputSource.files(events.path) : InputSource.sql(events.sql),
                    decisions.path != null ? InputSource.files(decisions.path) : InputSource.sql(decisions.sql),
                    policies, out, from, to, asOf != null ? asOf : Clock.systemUTC().instant().truncatedTo(ChronoUnit.MILLIS),
                    effectiveTolerance, lateAfter, effectiveFailOn, assumeZone, customers, checks);
            if (!full) request = fromCarriedState(request);
        } catch (RuntimeException e) {
            System.err.println("attest: " + e.getMessage());
            return 2;
        }
        return run(request, Metadata.url(metadata));
    }

    /** Every option checked before any work starts: a bad value is exit 2 at once, never a failure after the rating. */
    private void validate() {
        out = OutDir.check(out);
        if (tolerance != null && tolerance.signum() < 0)
            throw new IllegalArgumentException("--tolerance must be 0 or more, got " + tolerance.toPlainString());
        if (from != null && to != null && !from.isBefore(to))
            throw new IllegalArgumentException("--from " + from + " must be before --to " + to + " (the window is [from, to))");
        if (assumeZone != null && assumeZone.isBlank()) throw new IllegalArgumentException("--assume-zone must name a zone, got an empty value");
        if (asOf != null && asOf.isAfter(Clock.systemUTC().instant().plus(Duration.ofDays(366))))
            System.err.println("attest: note: --as-of " + asOf + " lies far in the future: every policy version recorded by then counts as known");
    }

    /** The request, starting from the state the previous window's audit left, when one holds (and saying why not otherwise). */
    static AuditRequest fromCarriedState(AuditRequest request) {
        CarriedStates.Choice c = CarriedStates.choose(request);
        if (c.stateId() != null) {
            System.err.println("attest: starting from the periods' state at " + request.from() + " (carried state " + c.stateId() + ")");
            return request.withCarriedState(c.stateId());
        }
        if (c.note() != null && request.from() != null)
            System.err.println("attest: rating the window's billing periods from their starts: " + c.note());
        return request;
    }

    static int run(AuditRequest request, String metadataUrl) {
        return report(launch(request, metadataUrl));
    }

    static AuditOutcome launch(AuditRequest request, String metadataUrl) {
        try (ConfigurableApplicationContext ctx = MetadataLock.start(metadataUrl)) {
            if (ctx == null)
                return new AuditOutcome.AlreadyRunning("another audit held the metadata database " + metadataUrl
                        + " for longer than " + MetadataLock.waitLimit().toSeconds() + " s; run again when it has finished, or give --metadata");
            return ctx.getBean(AuditLauncher.class).run(request);
        } catch (RuntimeException e) {
            if (!MetadataLock.heldElsewhere(e)) throw e;
            return new AuditOutcome.AlreadyRunning("another audit took the metadata database " + metadataUrl
                    + " while this one was starting; run the same command again");
        }
    }

    static int report(AuditOutcome outcome) {
        return report(outcome, true);
    }

    /** Says how the audit ended on stderr; the run folder goes to stdout unless the caller prints it last itself (demo). */
    static int report(AuditOutcome outcome, boolean printRunDir) {
        if (outcome instanceof AuditOutcome.Completed c) {
            if (c.alreadyDone()) System.err.println("attest: this audit (same inputs, window and cut-off) already ran; its run folder:");
            AuditConsole.print(c, System.err);
            for (String line : MoneyText.consoleLines(c.runDir().resolve("summary.json"))) System.err.println("attest: " + line);
            if (printRunDir) System.out.println(c.runDir());
        } else if (outcome instanceof AuditOutcome.BadInput b) {
            System.err.println("attest: bad input: " + b.message());
        } else if (outcome instanceof AuditOutcome.AlreadyRunning r) {
            System.err.println("attest: " + r.message());
        } else if (outcome instanceof AuditOutcome.Failed f) {
            System.err.println("attest: the audit failed" + (f.failedStep() == null ? "" : " in step " + f.failedStep()) + ": " + f.message()
                    + (f.traceLog() == null ? "" : "; full trace in " + f.traceLog())
                    + "; run the same command (with the same --as-of) to restart from the failed step.");
        }
        return outcome.exitStatus();
    }
}
