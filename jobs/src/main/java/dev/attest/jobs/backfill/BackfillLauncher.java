package dev.attest.jobs.backfill;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.io.input.InputException;
import dev.attest.io.policy.PolicyLoader;
import dev.attest.jobs.audit.AbandonedRuns;
import dev.attest.jobs.audit.AuditWorkspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * Runs a preview or an apply as the job instance named by the preview id. An apply first proves it applies
 * what was previewed (the id it names must be the id of the inputs given now), and does nothing when the
 * correction is already published. Restart semantics are the audit's: a failed instance restarts from its
 * failed step; one whose process died (free workspace lock, STARTED in the repository) is marked failed first.
 */
public final class BackfillLauncher {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BackfillLauncher.class);
    private final JobOperator jobOperator;
    private final JobRepository jobRepository;
    private final Job previewJob;
    private final Job applyJob;

    public BackfillLauncher(JobOperator jobOperator, JobRepository jobRepository, Job previewJob, Job applyJob) {
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.previewJob = previewJob;
        this.applyJob = applyJob;
    }

    /** The preview id of these inputs (reads every input file once to hash it). */
    public static BackfillIdentity identify(BackfillRequest request) {
        PolicyRegistry registry = new PolicyRegistry(PolicyLoader.load(request.policies()));
        return BackfillIdentity.of(request, registry);
    }

    public BackfillOutcome preview(BackfillRequest request) {
        BackfillIdentity id;
        try {
            id = identify(request);
        } catch (InputException | IllegalArgumentException e) {
            return new BackfillOutcome.BadInput(e.getMessage());
        }
        BackfillLayout layout = new BackfillLayout(request.outDir(), id.previewId());
        if (Files.exists(layout.previewDir().resolve("summary.json")))
            return new BackfillOutcome.Previewed(id.previewId(), layout.previewDir(), true);
        return run(previewJob, request, id, layout, "preview");
    }

    /** @param expectedPreviewId the preview the engineer read, or null when they confirmed with --yes */
    public BackfillOutcome apply(BackfillRequest request, String expectedPreviewId) {
        BackfillIdentity id;
        try {
            id = identify(request);
        } catch (InputException | IllegalArgumentException e) {
            return new BackfillOutcome.BadInput(e.getMessage());
        }
        if (expectedPreviewId != null && !expectedPreviewId.equals(id.previewId()))
            return new BackfillOutcome.InputsChanged(expectedPreviewId, id.previewId());
        BackfillLayout layout = new BackfillLayout(request.outDir(), id.previewId());
        if (Files.exists(layout.datasetDir().resolve("manifest.json")))
            return new BackfillOutcome.Applied(id.previewId(), layout.previewDir(), layout.datasetDir(), 0, 0, true);
        return run(applyJob, request, id, layout, "apply");
    }

    private BackfillOutcome run(Job job, BackfillRequest request, BackfillIdentity id, BackfillLayout layout, String mode) {
        JobParameters params = BackfillParameters.of(request, id);
        AuditWorkspace workspace = layout.workspace(mode).create();
        try (FileChannel ch = FileChannel.open(workspace.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = ch.tryLock()) {
            if (lock == null)
                return new BackfillOutcome.AlreadyRunning("backfill " + id.previewId() + " (" + mode + ") is running in another process right now");
            JobInstance instance = jobRepository.getJobInstance(job.getName(), params);
            if (instance != null) {
                JobExecution last = jobRepository.getLastJobExecution(instance);
                if (last != null && last.getStatus().isRunning()) AbandonedRuns.markFailed(jobRepository, last);
                if (last != null && last.getStatus() != BatchStatus.COMPLETED && AbandonedRuns.workFolderLost(jobRepository, instance, workspace)) {
                    // As for audits: the completed steps' tables went with the work folder, so start over.
                    log.warn("backfill {} ({}) failed earlier and its work folder {} is gone: running it from the start "
                            + "(the failed attempts leave the run history)", id.previewId(), mode, workspace.dir());
                    jobRepository.deleteJobInstance(instance);
                    instance = null;
                }
                if (instance != null && last != null && last.getStatus() == BatchStatus.COMPLETED) {
                    // Run history says done, yet the caller found no output (else it would not have come here): removed by hand.
                    Path gone = mode.equals("preview") ? layout.previewDir()
                            : last.getExecutionContext().containsKey(CommitTasklet.DATASET_DIR) ? layout.datasetDir() : null;
                    if (gone != null && !Files.exists(gone))
                        return new BackfillOutcome.BadInput("backfill " + id.previewId() + " (" + mode + ") completed before, but " + gone
                                + " is gone; restore it, or write to another --out");
                    return completed(last, id, layout, mode, workspace);
                }
            }
            JobExecution execution = jobOperator.start(job, params);
            if (execution.getStatus() == BatchStatus.COMPLETED) return completed(execution, id, layout, mode, workspace);
            return failed(execution);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock workspace " + workspace.dir(), e);
        } catch (JobExecutionAlreadyRunningException e) {
            return new BackfillOutcome.AlreadyRunning(e.getMessage());
        } catch (Exception e) {
            return new BackfillOutcome.Failed(e.getClass().getSimpleName() + ": " + e.getMessage(), null);
        }
    }

    private static BackfillOutcome completed(JobExecution execution, BackfillIdentity id, BackfillLayout layout, String mode, AuditWorkspace ws) {
        ws.delete();
        if (mode.equals("preview")) return new BackfillOutcome.Previewed(id.previewId(), layout.previewDir(), false);
        var ctx = execution.getExecutionContext();
        Path dataset = ctx.containsKey(CommitTasklet.DATASET_DIR) ? Path.of(ctx.getString(CommitTasklet.DATASET_DIR)) : null;
        return new BackfillOutcome.Applied(id.previewId(), layout.previewDir(), dataset, ctx.getLong(CommitTasklet.DECISIONS, 0L),
                ctx.getLong(CommitTasklet.LINES, 0L), false);
    }

    private static BackfillOutcome failed(JobExecution execution) {
        String failedStep = null;
        for (StepExecution s : execution.getStepExecutions())
            if (s.getStatus() == BatchStatus.FAILED && failedStep == null) failedStep = s.getStepName();
        for (Throwable t : execution.getAllFailureExceptions())
            for (Throwable c = t; c != null; c = c.getCause())
                if (c instanceof InputException) return new BackfillOutcome.BadInput(c.getMessage());
        // A failed day partition also fails its manager step with a generic message: name the partition's own cause.
        StringBuilder message = new StringBuilder();
        for (StepExecution s : execution.getStepExecutions()) {
            if (s.getStatus() != BatchStatus.FAILED || s.getStepName().equals(failedStep) && s.getStepName().startsWith("backfill-apply-day")) continue;
            for (Throwable t : s.getFailureExceptions()) {
                if (t instanceof org.springframework.batch.core.job.JobExecutionException && s.getStepName().equals("backfill-apply")) continue;
                message.append(message.isEmpty() ? "" : "; ").append(s.getStepName()).append(": ").append(t);
            }
        }
        if (message.isEmpty())
            message.append(execution.getAllFailureExceptions().isEmpty() ? "job ended " + execution.getStatus()
                    : String.valueOf(execution.getAllFailureExceptions().get(0)));
        return new BackfillOutcome.Failed(message.toString(), failedStep);
    }
}
