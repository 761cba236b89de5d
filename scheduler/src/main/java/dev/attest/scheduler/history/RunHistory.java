package dev.attest.scheduler.history;

import dev.attest.scheduler.ledger.LedgerRow;
import dev.attest.scheduler.ledger.WindowLedger;
import dev.attest.scheduler.run.RunFolders;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;

/**
 * Past audit runs, newest first, from the Batch JobRepository (every execution of the audit job: window,
 * status, duration, run folder) joined with the window ledger by run folder (schedule, late flag, attempts),
 * with counts per severity read from the run folder's summary.json.
 */
public final class RunHistory {
    /**
     * One execution of the audit job, or of a backfill job ({@code kind} "backfill-preview" or "backfill-apply", listed
     * when no schedule is asked for). {@code schedule} is null for an audit run by hand.
     */
    public record Run(long executionId, String schedule, Instant from, Instant to, String status, Instant started, Duration duration,
                      Map<String, Long> severities, Boolean late, Integer attempts, String runDir, Instant asOf, String kind) {
        public Run(long executionId, String schedule, Instant from, Instant to, String status, Instant started, Duration duration,
                   Map<String, Long> severities, Boolean late, Integer attempts, String runDir, Instant asOf) {
            this(executionId, schedule, from, to, status, started, duration, severities, late, attempts, runDir, asOf, "audit");
        }
    }

    private final JobRepository jobs;
    private final WindowLedger ledger;

    public RunHistory(JobRepository jobs, WindowLedger ledger) {
        this.jobs = jobs;
        this.ledger = ledger;
    }

    public List<Run> list(String schedule, int limit) {
        Map<String, LedgerRow> byRunDir = new HashMap<>(), byWindow = new HashMap<>();
        for (LedgerRow r : ledger.rows(schedule)) {
            if (r.runDir() != null) byRunDir.put(r.runDir(), r);
            byWindow.put(r.schedule() + "|" + r.windowStart(), r);
        }
        List<Run> out = new ArrayList<>();
        int page = 0;
        while (out.size() < limit) {
            List<JobInstance> instances = jobs.getJobInstances("audit", page * 100, 100);
            if (instances.isEmpty()) break;
            for (JobInstance i : instances) {
                for (JobExecution e : jobs.getJobExecutions(i)) {
                    String runDir = e.getExecutionContext().containsKey("run_dir") ? e.getExecutionContext().getString("run_dir") : null;
                    var p = e.getJobParameters();
                    LedgerRow row = runDir == null ? null : byRunDir.get(runDir);
                    // An attempt that published nothing (killed, failed, fenced) has no run folder to join by: the
                    // schedule it ran for is in its own parameters (the scheduler's context), and its window's row by
                    // (schedule, window start). Before, such attempts showed as run by hand and vanished under --schedule.
                    String ranFor = row != null ? row.schedule() : contextSchedule(p.getString("context"));
                    if (row == null && ranFor != null) row = byWindow.get(ranFor + "|" + instant(p.getString("from")));
                    if (schedule != null && !schedule.equals(ranFor)) continue;
                    Instant started = e.getStartTime() == null ? null : e.getStartTime().toInstant(ZoneOffset.systemDefault().getRules().getOffset(e.getStartTime()));
                    Duration d = e.getStartTime() == null || e.getEndTime() == null ? null : Duration.between(e.getStartTime(), e.getEndTime());
                    out.add(new Run(e.getId(), ranFor, instant(p.getString("from")), instant(p.getString("to")),
                            e.getStatus().name(), started, d, RunFolders.severities(runDir == null ? null : Path.of(runDir)),
                            row == null ? null : row.late(), row == null ? null : row.attempts(), runDir, instant(p.getString("as_of"))));
                }
            }
            page++;
        }
        if (schedule == null) backfills(out, limit);
        out.sort(Comparator.comparingLong(Run::executionId).reversed());
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    /** Every execution of the backfill jobs (preview and apply), newest first, at most {@code limit} of each. */
    private void backfills(List<Run> out, int limit) {
        for (String job : List.of(dev.attest.jobs.backfill.BackfillJobConfiguration.PREVIEW_JOB, dev.attest.jobs.backfill.BackfillJobConfiguration.APPLY_JOB)) {
            int n = 0;
            for (JobInstance i : jobs.getJobInstances(job, 0, limit)) {
                for (JobExecution e : jobs.getJobExecutions(i)) {
                    if (n++ >= limit) break;
                    var p = e.getJobParameters();
                    Instant started = e.getStartTime() == null ? null : e.getStartTime().toInstant(ZoneOffset.systemDefault().getRules().getOffset(e.getStartTime()));
                    Duration d = e.getStartTime() == null || e.getEndTime() == null ? null : Duration.between(e.getStartTime(), e.getEndTime());
                    out.add(new Run(e.getId(), null, instant(p.getString("from")), instant(p.getString("to")), e.getStatus().name(), started, d,
                            Map.of(), null, null, dev.attest.jobs.backfill.BackfillJobConfiguration.folderOf(e), instant(p.getString("as_of")), job));
                }
            }
        }
    }

    /** The {@code schedule} entry of an execution's context parameter (key=value lines), or null. */
    private static String contextSchedule(String context) {
        if (context == null) return null;
        for (String line : context.split("\n")) if (line.startsWith("schedule=")) return line.substring("schedule=".length());
        return null;
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }
}
