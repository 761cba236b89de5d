package dev.attest.jobs.audit;

import dev.attest.core.findings.Reconciler;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.engine.audit.AuditWindow;
import dev.attest.io.duck.Duck;
import dev.attest.io.policy.PolicyLoader;
import dev.attest.core.rating.BillingCycles;
import dev.attest.io.customers.CustomersLoader;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.step.StepContribution;

/** What every audit step derives from its job parameters. Steps keep no state in memory between them. */
record AuditStepSupport(AuditRequest request, AuditWorkspace workspace, String runId, java.util.SortedMap<String, String> context) {
    static AuditStepSupport of(StepContribution contribution) {
        JobParameters p = contribution.getStepExecution().getJobExecution().getJobParameters();
        AuditRequest r = AuditParameters.request(p);
        return new AuditStepSupport(r, AuditWorkspace.of(r.outDir(), AuditParameters.identity(p)).create(), AuditParameters.runId(p),
                AuditParameters.context(p));
    }

    /**
     * Where the rating step writes expected.parquet: straight into the run folder being assembled, which the write step
     * completes and renames. The file is an output, not work: kept in the work folder, it was the largest thing there
     * after the staged rows, and then copied once more into the run folder.
     */
    java.nio.file.Path expectedParquet() {
        return RunFolderWriter.partialDir(request.outDir(), runId).resolve(RunFolderWriter.EXPECTED);
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

    /** Each customer's billing cycle, from the customers input (UTC calendar months without one). */
    BillingCycles cycles() {
        return CustomersLoader.load(request.customers());
    }

    /** The window as requested: rated from the periods' starts, or from a carried state when the request names one. */
    AuditWindow window() {
        AuditWindow w = new AuditWindow(request.from(), request.to(), request.asOf(), cycles());
        return request.carriedState() != null && CarriedStates.used(workspace) ? w.carriedFromState() : w;
    }

    /** The window rated from the periods' starts (a carried state not used). */
    AuditWindow fullWindow() {
        return new AuditWindow(request.from(), request.to(), request.asOf(), cycles());
    }

    Reconciler reconciler(PolicyRegistry registry) {
        return new Reconciler(registry, reconcilerParams());
    }

    Reconciler.Params reconcilerParams() {
        // The effective default tolerance is the request's (command line, else the checks file's default); the checks
        // file adds tolerances per currency and per meter and severities per code.
        dev.attest.core.checks.Checks checks = request.checksOrNone();
        return new Reconciler.Params(request.tolerance(), request.lateAfter(), checks.tolerancePerCurrency(),
                checks.tolerancePerMeter(), checks.severities());
    }
}
