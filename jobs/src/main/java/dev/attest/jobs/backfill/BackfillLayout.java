package dev.attest.jobs.backfill;

import dev.attest.jobs.audit.AuditIdentity;
import dev.attest.jobs.audit.AuditWorkspace;
import java.nio.file.Path;

/**
 * Where a backfill writes. {@code OUT/backfill-<id>/preview/} holds the impact; {@code OUT/corrections/<id>/}
 * the applied correction (a new dataset: nothing earlier is touched). Both are written under a hidden
 * temporary name and renamed when complete. Preview and apply each have their own workspace.
 */
record BackfillLayout(Path outDir, String previewId) {
    Path backfillDir() {
        return outDir.resolve("backfill-" + previewId);
    }

    Path previewDir() {
        return backfillDir().resolve("preview");
    }

    Path previewPartial() {
        return backfillDir().resolve(".preview.partial");
    }

    Path datasetDir() {
        return outDir.resolve("corrections").resolve(previewId);
    }

    Path datasetPartial() {
        return outDir.resolve("corrections").resolve("." + previewId + ".partial");
    }

    AuditWorkspace workspace(String mode) {
        return AuditWorkspace.of(outDir, AuditIdentity.sha256("backfill-" + mode + "\n" + previewId));
    }

    static Path exportDir(AuditWorkspace ws) {
        return ws.dir().resolve("export");
    }

    static Path partsDir(AuditWorkspace ws) {
        return ws.dir().resolve("parts");
    }
}
