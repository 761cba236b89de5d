package dev.attest.jobs.backfill;

import java.nio.file.Path;

/** How a backfill ended, with the process exit status of contracts section 7. */
public sealed interface BackfillOutcome {
    int exitStatus();

    /** The preview folder is complete (written now, or by an earlier run of the same inputs). */
    record Previewed(String previewId, Path previewDir, boolean alreadyDone) implements BackfillOutcome {
        public int exitStatus() { return 0; }
    }

    /**
     * The correction is published (datasetDir), or there was nothing to correct (datasetDir null: the books
     * already agree with the as-corrected view), or it had been applied before (alreadyApplied).
     */
    record Applied(String previewId, Path previewDir, Path datasetDir, long correctedDecisions, long adjustmentLines, boolean alreadyApplied)
            implements BackfillOutcome {
        public int exitStatus() { return 0; }
    }

    /** Bad usage or unreadable input: exit 2. */
    record BadInput(String message) implements BackfillOutcome {
        public int exitStatus() { return 2; }
    }

    /** The apply named a preview whose inputs are not the ones given now: exit 2, nothing written. */
    record InputsChanged(String expectedPreviewId, String actualPreviewId) implements BackfillOutcome {
        public int exitStatus() { return 2; }
    }

    /** The same backfill is running in another process right now: exit 3, nothing written. */
    record AlreadyRunning(String message) implements BackfillOutcome {
        public int exitStatus() { return 3; }
    }

    /** Internal failure (or corrected books that did not verify): exit 3; the same command restarts it. */
    record Failed(String message, String failedStep) implements BackfillOutcome {
        public int exitStatus() { return 3; }
    }
}
