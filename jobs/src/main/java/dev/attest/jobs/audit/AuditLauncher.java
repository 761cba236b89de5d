package dev.attest.jobs.audit;

import dev.attest.io.input.InputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/**
 * Starts an audit as a job instance named by its identity. A completed instance is not run again (its run
 * folder is returned); a failed one restarts from its failed step; one whose process died mid-run (its
 * workspace lock is free but the repository says STARTED) is marked FAILED first, then restarted. A failed one
 * whose work folder is gone (its completed steps' tables with it) is dropped from the history and run afresh.
 */
public final class AuditLauncher {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AuditLauncher.class);
    private final JobOperator jobOperator;
    private final JobRepository jobRepository;
    private final Job job;

    public AuditLauncher(JobOperator jobOperator, JobRepository jobRepository, Job job) {
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.job = job;
    }

    public AuditOutcome run(AuditRequest request) {
        return run(request, Map.of());
    }

    /**
     * As {@link #run(AuditRequest)}, with a context that summary.json reports under {@code parameters.context.*}
     * (the scheduler's schedule, window, due and start times, lateness). It does not identify the run: a retry
     * with another context restarts the same job instance. Keys and values must hold no line breaks.
     */
    public AuditOutcome run(AuditRequest request, Map<String, String> context) {
        return run(request, context, null);
    }

    /**
     * As {@link #run(AuditRequest, Map)}, fenced: {@code fence} (null: none) is asked right before the run folder is
     * published; when it denies, nothing is published and the outcome is {@link AuditOutcome.Failed} in step write
     * (a later restart of the same job, by the claim's new holder, publishes it). See {@link PublishFence}.
     */
    public AuditOutcome run(AuditRequest request, Map<String, String> context, PublishFence.Check fence) {
        java.util.SortedMap<String, String> ctx = new java.util.TreeMap<>();
        context.forEach((k, v) -> {
            if (k.contains("=") || (k + v).contains("\n")) throw new IllegalArgumentException("bad context entry " + k);
            ctx.put(k, v);
        });
        AuditIdentity id;
        try {
            id = AuditIdentity.of(request);
        } catch (InputException e) {
            return new AuditOutcome.BadInput(e.getMessage());
        }
        JobParameters params = AuditParameters.of(request, id, ctx);
        AuditWorkspace workspace = AuditWorkspace.of(request.outDir(), id.digest()).create();
        try (FileChannel ch = FileChannel.open(workspace.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = ch.tryLock()) {
            if (lock == null)
                return new AuditOutcome.AlreadyRunning("run " + id.runId() + " is being audited by another process right now");
            if (fence != null) {
                String why = fence.denied();
                if (why != null) return new AuditOutcome.Failed("not started: " + why, null);
            }
            JobInstance instance = jobRepository.getJobInstance(AuditJobConfiguration.JOB_NAME, params);
            if (instance != null) {
                JobExecution last = jobRepository.getLastJobExecution(instance);
                if (last != null && last.getStatus() == BatchStatus.COMPLETED) {
                    workspace.delete();
                    Path runDir = Path.of(last.getExecutionContext().getString(WriteTasklet.RUN_DIR));
                    if (Files.isRegularFile(runDir.resolve("manifest.json"))) return completed(last, true);
                    // The run folder of a completed run was deleted: its outputs are deterministic (same inputs, window
                    // and cut-off), so the audit runs again and re-creates it, as make re-makes a deleted target.
                    System.err.println("attest: run " + id.runId() + " completed before, but its run folder " + runDir
                            + " is gone: re-creating it (the outputs are deterministic)");
                    jobRepository.deleteJobInstance(instance);
                    workspace.create();
                    instance = null;
                }
                if (instance != null && last != null && last.getStatus().isRunning()) AbandonedRuns.markFailed(jobRepository, last);
                Path assembled = RunFolderWriter.partialDir(request.outDir(), id.runId());
                if (instance != null && last != null
                        && AbandonedRuns.workFolderLost(jobRepository, instance, workspace, assembled.resolve(RunFolderWriter.EXPECTED))) {
                    // A restart would skip the completed steps, whose tables lived in the work folder, and that is
                    // gone (the --out folder was removed or moved): the failed attempts are dropped from the run
                    // history and the audit starts over, rather than fail for good on a missing table.
                    log.warn("run {} failed earlier and its work folder {} (or the expectations its rating step wrote into {}) is gone: "
                            + "auditing it from the start (the failed attempts leave the run history)", id.runId(), workspace.dir(),
                            assembled);
                    jobRepository.deleteJobInstance(instance);
                }
            }
            JobExecution execution;
            try (AutoCloseable registered = fence == null ? () -> {} : PublishFence.register(workspace.dir(), fence)) {
                execution = jobOperator.start(job, params);
            }
            return outcome(execution, workspace);
        } catch (java.nio.channels.OverlappingFileLockException e) {
            // Held by this very JVM (another thread or node object in it): the same as another process holding it.
            return new AuditOutcome.AlreadyRunning("run " + id.runId() + " is being audited by another thread of this process right now");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock workspace " + workspace.dir(), e);
        } catch (JobExecutionAlreadyRunningException e) {
            return new AuditOutcome.AlreadyRunning(e.getMessage());
        } catch (Exception e) {
            Path log = FailureLog.write(workspace.dir(), List.of(e));
            String env = FailureLog.environment(List.of(e), workspace.dir());
            return new AuditOutcome.Failed(env != null ? env : e.getClass().getSimpleName() + ": " + FailureLog.firstLine(e.getMessage()), null, log);
        }
    }

    private AuditOutcome outcome(JobExecution execution, AuditWorkspace workspace) {
        if (execution.getStatus() == BatchStatus.COMPLETED) {
            workspace.delete();
            return completed(execution, false);
        }
        String failedStep = null;
        for (StepExecution s : execution.getStepExecutions()) if (s.getStatus() == BatchStatus.FAILED) failedStep = s.getStepName();
        // A full disk while staging reaches us as an unreadable input: it is the environment's failure, not the input's.
        boolean diskFull = FailureLog.environment(execution.getAllFailureExceptions(), workspace.dir()) != null;
        for (Throwable t : execution.getAllFailureExceptions()) {
            for (Throwable c = t; c != null && !diskFull; c = c.getCause()) {
                if (c instanceof InputException)
                    return new AuditOutcome.BadInput(c.getMessage());
            }
        }
        List<Throwable> failures = execution.getAllFailureExceptions();
        // The full traces go to a log file in the work folder; the console gets one line saying what failed and where.
        Path log = FailureLog.write(workspace.dir(), failures);
        String env = FailureLog.environment(failures, workspace.dir());
        String message = env != null ? env : failures.isEmpty() ? "job ended " + execution.getStatus()
                : failures.get(0).getClass().getName() + ": " + FailureLog.firstLine(failures.get(0).getMessage());
        return new AuditOutcome.Failed(message, failedStep, log);
    }

    private static AuditOutcome completed(JobExecution execution, boolean alreadyDone) {
        var ctx = execution.getExecutionContext();
        Map<String, Duration> times = new LinkedHashMap<>();
        for (StepExecution s : execution.getStepExecutions())
            if (s.getStartTime() != null && s.getEndTime() != null) times.put(s.getStepName(), Duration.between(s.getStartTime(), s.getEndTime()));
        return new AuditOutcome.Completed(Path.of(ctx.getString(WriteTasklet.RUN_DIR)), ctx.getInt(WriteTasklet.EXIT_STATUS),
                ctx.getLong(WriteTasklet.FINDINGS), alreadyDone, times);
    }
}
