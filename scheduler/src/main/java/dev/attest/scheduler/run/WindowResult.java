package dev.attest.scheduler.run;

import dev.attest.scheduler.window.Window;
import java.nio.file.Path;
import java.util.Map;

/** What one pass did with one window. */
public record WindowResult(String schedule, Window window, Status status, int attempts, boolean late, Path runDir, int exitStatus,
                           Map<String, Long> severities, String message) {
    public enum Status {
        /** Audited; {@code exitStatus} 0 or 1 by the failing severity. */
        DONE,
        /** This attempt failed; another is allowed (after the retry delay). */
        RETRY,
        /** Failed on its last allowed attempt: alerted. */
        FAILED,
        /** Held by another live node, or waiting for its retry delay. */
        SKIPPED
    }
}
