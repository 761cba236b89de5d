package dev.attest.jobs.backfill;

import dev.attest.core.findings.Reconciler;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.io.duck.Duck;
import dev.attest.io.policy.PolicyLoader;
import dev.attest.jobs.audit.AuditWorkspace;
import dev.attest.jobs.audit.Staging;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.step.StepExecution;

/** What every backfill step derives from its job parameters; steps keep no state in memory between them. */
record BackfillStepSupport(BackfillRequest request, String previewId, BackfillLayout layout, AuditWorkspace workspace, boolean apply) {
    static BackfillStepSupport of(StepExecution step) {
        JobParameters p = step.getJobExecution().getJobParameters();
        BackfillRequest r = BackfillParameters.request(p);
        String id = p.getString(BackfillParameters.PREVIEW_ID);
        BackfillLayout layout = new BackfillLayout(r.outDir(), id);
        boolean apply = BackfillJobConfiguration.APPLY_JOB.equals(step.getJobExecution().getJobInstance().getJobName());
        return new BackfillStepSupport(r, id, layout, layout.workspace(apply ? "apply" : "preview").create(), apply);
    }

    Duck openDuck() {
        return Duck.open(workspace.database());
    }

    /** The workspace for a step after staging (see {@link Staging#openStaged}). */
    Duck openStaged() {
        return Staging.openStaged(workspace.database());
    }

    PolicyRegistry registry() {
        return new PolicyRegistry(PolicyLoader.load(request.policies()));
    }

    /** Tolerance 0 and no lateness limit: the backfill compares amounts exactly, as the contract's default audit does. */
    Reconciler reconciler(PolicyRegistry registry) {
        return new Reconciler(registry, new Reconciler.Params(java.math.BigDecimal.ZERO, null));
    }
}
