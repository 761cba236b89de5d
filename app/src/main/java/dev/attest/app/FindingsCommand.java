package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.jobs.lifecycle.FindingDecision;
import dev.attest.jobs.lifecycle.FindingHistory;
import dev.attest.core.findings.Severity;
import dev.attest.scheduler.history.RunHistory;
import dev.attest.scheduler.ledger.WindowLedger;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ConfigurableApplicationContext;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "findings", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "List a run's findings with their status, filtered; or show one finding's history across runs.", sortOptions = false,
        description = {
                "Without --fingerprint: list the findings of RUN (a run folder or its run id; default: the newest run in the run "
                        + "history) with their status from the metadata database (new in this run, open, acknowledged, accepted, "
                        + "acceptance expired), filtered by the options, as a table, CSV or JSON on standard output. "
                        + "With --fingerprint: that finding's first and last run and every decision on it.",
                "Exit status: 0 shown (also when no finding matches), 2 bad usage, no such run, or a fingerprint no run has reported."})
public final class FindingsCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "RUN",
            description = "The run folder or run id (found from the run folder, the folder holding it, or the one above). Default: the newest run.")
    String run;

    @Option(names = "--status", paramLabel = "STATUS", description = "Only findings with this status: new, open, acknowledged, accepted, acceptance-expired.")
    String status;

    @Option(names = "--code", paramLabel = "CODE", description = "Only this finding code, e.g. AMOUNT_MISMATCH.")
    String code;

    @Option(names = "--severity", paramLabel = "SEVERITY", description = "Only this severity: info, warning, error, critical.")
    String severity;

    @Option(names = "--customer", paramLabel = "ID", description = "Only this customer_id.")
    String customer;

    @Option(names = "--meter", paramLabel = "METER", description = "Only this meter.")
    String meter;

    @Option(names = "--min-amount", paramLabel = "DECIMAL", description = "Only findings whose amount difference is at least this (either way).")
    BigDecimal minAmount;

    @Option(names = "--new", description = "Only findings new since the previous run (first seen in this run); same as --status new.")
    boolean onlyNew;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table", description = "table (default), csv or json.")
    String format;

    @Option(names = "--fingerprint", paramLabel = "FINGERPRINT", description = "Show this finding's history across runs instead of a list.")
    String fingerprint;

    @Option(names = "--metadata", paramLabel = "JDBC_URL", description = "Metadata database (default: $ATTEST_METADATA_URL, else an H2 file in ~/.attest).")
    String metadata;

    @Override
    public Integer call() throws Exception {
        if (fingerprint != null) return history();
        FindingsList.Filter filter;
        try {
            if (!List.of("table", "csv", "json").contains(format)) throw new IllegalArgumentException("--format must be table, csv or json; got '" + format + "'");
            filter = new FindingsList.Filter(status, code, severity == null ? null : Severity.parse(severity), customer, meter, minAmount, onlyNew);
        } catch (IllegalArgumentException e) {
            System.err.println("attest: " + e.getMessage());
            return 2;
        }
        Path runDir = run != null ? RunFolders.resolve(run, Path.of("")) : newestRun();
        if (runDir == null || !Files.isRegularFile(runDir.resolve("findings.parquet"))) {
            System.err.println("attest: " + (runDir == null ? "no run recorded in the run history; name a run folder"
                    : runDir + " is not a run folder: it has no findings.parquet"));
            return 2;
        }
        List<Map<String, String>> rows = FindingsList.read(runDir, filter, LifecycleAccess.store(metadata));
        FindingsList.write(rows, format, System.out);
        System.err.println("attest: " + rows.size() + " finding(s) of run " + runDir.getFileName() + " match");
        return 0;
    }

    private Path newestRun() {
        try (ConfigurableApplicationContext ctx = AttestBoot.start(Metadata.url(metadata))) {
            WindowLedger ledger = new WindowLedger(ctx.getBean(DataSource.class)).create();
            return new RunHistory(ctx.getBean(JobRepository.class), ledger).list(null, 20).stream()
                    .filter(r -> r.runDir() != null).map(r -> Path.of(r.runDir().toString())).findFirst().orElse(null);
        }
    }

    private int history() throws Exception {
        Optional<FindingHistory> found = LifecycleAccess.store(metadata).history(fingerprint.trim());
        if (found.isEmpty()) {
            System.err.println("attest: no audit run recorded in this metadata database has reported finding " + fingerprint.trim());
            return 2;
        }
        FindingHistory h = found.get();
        System.out.println("fingerprint  " + h.fingerprint());
        System.out.println("code         " + h.code());
        System.out.println("first seen   " + h.firstSeenAt() + "  run " + h.firstSeenRun());
        System.out.println("last seen    " + h.lastSeenAt() + "  run " + h.lastSeenRun());
        System.out.println("runs         " + h.timesSeen());
        if (h.decisions().isEmpty()) System.out.println("decisions    none");
        for (FindingDecision d : h.decisions())
            System.out.println("decision     " + d.decidedAt() + "  " + d.kind() + (d.until() == null ? "" : " until " + d.until())
                    + (d.decidedBy() == null ? "" : "  by " + d.decidedBy()) + "  " + d.note());
        return 0;
    }
}
