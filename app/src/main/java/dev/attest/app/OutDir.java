package dev.attest.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks an --out folder before any work: it must be named, must not be a regular file, must be creatable and writable,
 * and its absolute path must hold no ';' (the DuckDB JDBC URL of the work database would read it as a setting). Each
 * refusal is one line naming the path (exit 2).
 */
final class OutDir {
    private OutDir() {}

    static Path check(Path out) {
        if (out == null || out.toString().isBlank())
            throw new IllegalArgumentException("--out must name a folder, got an empty value");
        Path abs = out.toAbsolutePath().normalize();
        if (abs.toString().indexOf(';') >= 0)
            throw new IllegalArgumentException("--out " + abs + ": a path holding ';' cannot be used (DuckDB reads ';' in a database "
                    + "path as the start of a setting); choose a folder without ';'");
        if (Files.exists(abs) && !Files.isDirectory(abs))
            throw new IllegalArgumentException("--out " + abs + " is a file, not a folder");
        try {
            Files.createDirectories(abs);
            Path probe = Files.createTempFile(abs, ".attest-probe-", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            String why = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getClass().getSimpleName();
            throw new IllegalArgumentException("--out " + abs + ": cannot write there (" + why + ")");
        }
        return out;
    }
}
