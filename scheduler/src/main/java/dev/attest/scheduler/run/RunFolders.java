package dev.attest.scheduler.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads counts from a run folder's summary.json, and writes the scheduler's own schedule.json beside it. */
public final class RunFolders {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RunFolders() {}

    /** severity -> count from summary.json; empty when the folder has none. */
    public static Map<String, Long> severities(Path runDir) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (runDir == null) return out;
        Path summary = runDir.resolve("summary.json");
        if (!Files.isRegularFile(summary)) return out;
        try {
            JsonNode n = JSON.readTree(Files.readString(summary)).path("severities");
            for (Map.Entry<String, JsonNode> e : n.properties()) out.put(e.getKey(), e.getValue().asLong());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + summary, e);
        }
        return out;
    }

    /** Findings at or above {@code failOn}, from counts per severity. */
    public static long atOrAbove(Map<String, Long> severities, dev.attest.core.findings.Severity failOn) {
        long n = 0;
        for (Map.Entry<String, Long> e : severities.entrySet())
            if (dev.attest.core.findings.Severity.parse(e.getKey()).atLeast(failOn)) n += e.getValue();
        return n;
    }

    /** Writes {@code schedule.json} (schedule, window, due and start times, late flag, attempt) under a temporary name, then renames it. */
    public static void writeScheduleFacts(Path runDir, Map<String, Object> facts) {
        Path tmp = runDir.resolve(".schedule.json.tmp");
        try {
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(facts) + "\n");
            try {
                Files.move(tmp, runDir.resolve("schedule.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, runDir.resolve("schedule.json"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + runDir.resolve("schedule.json"), e);
        }
    }
}
