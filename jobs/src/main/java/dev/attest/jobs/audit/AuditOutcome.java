package dev.attest.jobs.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** How an audit ended, with the process exit status of contracts section 7. */
public sealed interface AuditOutcome {
    int exitStatus();

    /** The run folder is complete. exitStatus 0 or 1 by the failing severity. */
    record Completed(Path runDir, int exitStatus, long findings, boolean alreadyDone, Map<String, Duration> stepTimes)
            implements AuditOutcome {}

    /** Bad usage or unreadable input: exit 2. */
    record BadInput(String message) implements AuditOutcome {
        public int exitStatus() { return 2; }
    }

    /** The same job instance is running elsewhere right now: exit 3, nothing written. */
    record AlreadyRunning(String message) implements AuditOutcome {
        public int exitStatus() { return 3; }
    }

    /** Internal failure: exit 3; the workspace is kept so that the same command restarts from the failed step. */
    record Failed(String message, String failedStep, Path traceLog) implements AuditOutcome {
        public Failed(String message, String failedStep) {
            this(message, failedStep, null);
        }

        public int exitStatus() { return 3; }
    }
}
