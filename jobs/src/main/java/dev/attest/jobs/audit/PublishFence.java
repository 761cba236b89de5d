package dev.attest.jobs.audit;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fencing for audits run on behalf of a lease (the scheduler's window claims): the check the caller passes to
 * {@link AuditLauncher#run(AuditRequest, Map, Check)} is asked right before the run folder is published (the atomic
 * rename), and a denied check stops the write step without publishing. A process that was paused past its lease,
 * whose window another node took over, thus finishes its audit but publishes nothing; the taker's restart of the
 * same Batch job publishes the one run folder (issue 16, item 3).
 */
public final class PublishFence {
    /** Null while the caller still holds its claim; else why it does not. */
    @FunctionalInterface
    public interface Check {
        String denied();
    }

    /** The write step was denied publication. */
    public static final class Denied extends IllegalStateException {
        Denied(String why) {
            super("not published: " + why);
        }
    }

    private static final Map<Path, Check> FENCES = new ConcurrentHashMap<>();

    private PublishFence() {}

    static AutoCloseable register(Path workspaceDir, Check check) {
        Path key = workspaceDir.toAbsolutePath().normalize();
        FENCES.put(key, check);
        return () -> FENCES.remove(key, check);
    }

    /** Throws {@link Denied} when the audit of this workspace runs for a claim that was lost. */
    static void check(Path workspaceDir) {
        Check c = FENCES.get(workspaceDir.toAbsolutePath().normalize());
        String why = c == null ? null : c.denied();
        if (why != null) throw new Denied(why);
    }
}
