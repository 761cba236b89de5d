package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.io.input.InputException;
import dev.attest.io.input.InputSource;
import dev.attest.lineage.report.LineageReport;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "lineage", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "Trace every decision: event -> rule version (change_ref) -> decision -> invoice; list each broken link.",
        sortOptions = false, description = {
                "Stage the inputs as the audit does and write the lineage-gap report (contracts section 6) without rating: "
                        + "lineage_gaps.parquet/.csv (one row per broken link, with its source file and row), "
                        + "lineage_coverage.parquet/.csv (share of decisions whose whole chain is intact: overall, per customer, meter "
                        + "and day) and lineage.json, into OUT/lineage-<as-of>-<digest>/ (its path is the last line printed). Every audit"
                        + " run writes the same report.",
                "Exit status: 0 no gap, 1 gaps found, 2 bad usage or input, 3 internal failure."})
public final class LineageCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    AuditCommand.EventsSource events;

    @ArgGroup(exclusive = true, multiplicity = "1")
    AuditCommand.DecisionsSource decisions;

    @Option(names = "--policies", required = true, paramLabel = "PATH", description = "A folder of policy files, or a flat table of versions.")
    String policies;

    @Option(names = "--customers", paramLabel = "PATH",
            description = "Billing cycles per customer (customer_id, billing_anchor_day, billing_zone): a Parquet/CSV/JSON Lines file, "
                    + "a folder or a glob. Customers it does not list, and every customer without it, are billed on UTC calendar months.")
    String customers;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the report folder is written.")
    Path out;

    @Option(names = "--from", paramLabel = "T", converter = Times.InstantConverter.class, description = "Start of the window on event_time, inclusive.")
    Instant from;

    @Option(names = "--to", paramLabel = "T", converter = Times.InstantConverter.class, description = "End of the window, exclusive.")
    Instant to;

    @Option(names = "--as-of", paramLabel = "T", converter = Times.InstantConverter.class,
            description = "Knowledge cut-off (default: now). A billing period that ended by then is closed: its charges must name an invoice.")
    Instant asOf;

    @Option(names = "--assume-zone", paramLabel = "ZONE", description = "Zone of timestamps that carry no offset.")
    String assumeZone;

    @Override
    public Integer call() {
        LineageReport.Request request;
        try {
            if (assumeZone != null) ZoneId.of(assumeZone);
            request = new LineageReport.Request(
                    events.path != null ? InputSource.files(events.path) : InputSource.sql(events.sql),
                    decisions.path != null ? InputSource.files(decisions.path) : InputSource.sql(decisions.sql),
                    policies, out, from, to, asOf != null ? asOf : Clock.systemUTC().instant().truncatedTo(ChronoUnit.MILLIS), assumeZone,
                    customers);
        } catch (RuntimeException e) {
            System.err.println("attest: " + e.getMessage());
            return 2;
        }
        LineageReport.Result r;
        try {
            r = LineageReport.run(request);
        } catch (InputException | IllegalArgumentException e) {
            System.err.println("attest: bad input: " + e.getMessage());
            return 2;
        }
        System.err.printf("attest: %d decision(s) in scope, coverage %s; gaps: %s%n", r.decisionsInScope(), r.coverage().toPlainString(), r.gaps());
        System.out.println(r.folder());
        return r.totalGaps() > 0 ? 1 : 0;
    }
}
