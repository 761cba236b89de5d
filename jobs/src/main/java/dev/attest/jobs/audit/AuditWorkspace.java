package dev.attest.jobs.audit;

import dev.attest.io.Folders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where one job instance keeps its state between steps: a DuckDB file with the staged and computed tables,
 * under {@code OUT/.attest-work/<identity>/}. It survives a failed run (the restart continues from it) and is
 * removed once the run folder is complete. The backfill job keeps its workspaces the same way.
 */
public record AuditWorkspace(Path dir) {
    public static AuditWorkspace of(Path outDir, String identity) {
        return new AuditWorkspace(outDir.resolve(".attest-work").resolve(identity.substring(0, 16)));
    }

    public Path database() {
        return dir.resolve("stage.duckdb");
    }

    public Path stagingReport() {
        return dir.resolve("staging.json");
    }

    public Path lockFile() {
        return dir.resolve("run.lock");
    }

    public AuditWorkspace create() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create workspace " + dir, e);
        }
        return this;
    }

    public void delete() {
        Folders.deleteTree(dir);
    }
}
