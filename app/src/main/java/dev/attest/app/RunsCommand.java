package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.core.Durations;
import dev.attest.scheduler.history.RunHistory;
import dev.attest.scheduler.ledger.WindowLedger;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "runs", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "List past audit runs: window, as-of, status, duration, findings per severity, run folder.", sortOptions = false,
        description = {
                "Reads the run history (Spring Batch JobRepository) and the scheduler's window ledger in the metadata database.",
                "LATE: yes when a scheduled window ran after its due time plus late_after; '-' for an audit run by hand."})
public final class RunsCommand implements Callable<Integer> {
    @Option(names = "--metadata", paramLabel = "JDBC_URL", description = "Metadata database. Default: $ATTEST_METADATA_URL, else an H2 file in ~/.attest.")
    String metadata;

    @Option(names = "--schedule", paramLabel = "NAME", description = "Only runs of this schedule.")
    String schedule;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N runs, newest first (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (limit < 1) {
            System.err.println("attest: --limit must be >= 1");
            return 2;
        }
        try (ConfigurableApplicationContext ctx = AttestBoot.start(Metadata.url(metadata))) {
            WindowLedger ledger = new WindowLedger(ctx.getBean(DataSource.class)).create();
            List<RunHistory.Run> runs = new RunHistory(ctx.getBean(JobRepository.class), ledger).list(schedule, limit);
            System.out.println(String.format(Locale.ROOT, "%-6s %-16s %-16s %-20s %-20s %-24s %-9s %-4s %-8s %8s %6s %7s %5s  %s", "ID", "KIND", "SCHEDULE", "FROM",
                    "TO", "AS OF", "STATUS", "LATE", "DURATION", "CRITICAL", "ERROR", "WARNING", "INFO", "RUN FOLDER"));
            for (RunHistory.Run r : runs) {
                System.out.println(String.format(Locale.ROOT, "%-6d %-16s %-16s %-20s %-20s %-24s %-9s %-4s %-8s %8s %6s %7s %5s  %s", r.executionId(),
                        r.kind(), r.schedule() == null ? "-" : r.schedule(), str(r.from()), str(r.to()), str(r.asOf()), r.status(),
                        r.late() == null ? "-" : r.late() ? "yes" : "no", duration(r.duration()), count(r, "critical"), count(r, "error"),
                        count(r, "warning"), count(r, "info"), r.runDir() == null ? "-" : r.runDir()));
            }
            return 0;
        }
    }

    private static String str(Object o) {
        return o == null ? "-" : o.toString();
    }

    private static String count(RunHistory.Run r, String severity) {
        Long n = r.severities().get(severity);
        return n == null ? "-" : n.toString();
    }

    private static String duration(Duration d) {
        return d == null ? "-" : Durations.human(d);
    }
}
