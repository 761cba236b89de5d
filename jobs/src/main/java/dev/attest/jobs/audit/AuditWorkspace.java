package dev.attest.jobs.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where one job instance keeps its state between steps: a DuckDB file with the staged and computed tables,
 * under {@code OUT/.attest-work/<identity>/}. It survives a failed run (the restart continues from it) and is
 * removed once the run folder is complete.
 */
record AuditWorkspace(Path dir) {
    static AuditWorkspace of(Path outDir, String identity) {
        return new AuditWorkspace(outDir.resolve(".attest-work").resolve(identity.substring(0, 16)));
    }

    Path database() {
        return dir.resolve("stage.duckdb");
    }

    Path stagingReport() {
        return dir.resolve("staging.json");
    }

    Path lockFile() {
        return dir.resolve("run.lock");
    }

    AuditWorkspace create() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create workspace " + dir, e);
        }
        return this;
    }

    void delete() {
        Folders.deleteTree(dir);
    }
}
