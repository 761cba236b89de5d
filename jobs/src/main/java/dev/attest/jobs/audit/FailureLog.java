package dev.attest.jobs.audit;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

/**
 * An internal failure's full stack traces go to {@code failure.log} in the run's work folder, so that the console can
 * say in one line what failed and where the trace is. Also tells an environment failure (a full disk) from the rest.
 */
public final class FailureLog {
    private FailureLog() {}

    /** Appends the traces to WORK/failure.log; returns its path, or null when it cannot be written (a full disk). */
    public static Path write(Path workDir, List<Throwable> failures) {
        if (failures == null || failures.isEmpty()) return null;
        StringWriter text = new StringWriter();
        try (PrintWriter w = new PrintWriter(text)) {
            w.println("== " + Instant.now());
            for (Throwable t : failures) t.printStackTrace(w);
        }
        try {
            Files.createDirectories(workDir);
            Path log = workDir.resolve("failure.log");
            Files.writeString(log, text.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return log;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The first line of a message (DuckDB's carry the SQL and hints on further lines). */
    public static String firstLine(String message) {
        if (message == null) return "";
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    /** A one-line message when a failure is the environment's (no space left), naming the folder; else null. */
    public static String environment(List<Throwable> failures, Path workDir) {
        for (Throwable t : failures)
            for (Throwable c = t; c != null; c = c.getCause())
                if (isDiskFull(c.getMessage()))
                    return "environment failure, not bad input: no space left on the device holding " + workDir
                            + " (free some space, or give --out a folder on another disk, then run the same command again)";
        return null;
    }

    public static boolean isDiskFull(String message) {
        if (message == null) return false;
        String m = message.toLowerCase(java.util.Locale.ROOT);
        return m.contains("no space left on device") || m.contains("disk is full") || m.contains("disk full")
                || m.contains("not enough space on the disk");
    }
}
