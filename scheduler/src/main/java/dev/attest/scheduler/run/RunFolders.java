package dev.attest.scheduler.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * A digest of a run's findings (code, severity and fingerprint of each, sorted): equal digests, equal findings.
     * Null when the folder has no findings file.
     */
    public static String findingsDigest(Path runDir) {
        Path f = runDir == null ? null : runDir.resolve("findings.parquet");
        if (f == null || !Files.isRegularFile(f)) return null;
        try (dev.attest.io.duck.Duck duck = dev.attest.io.duck.Duck.inMemory()) {
            List<Map<String, Object>> r = duck.queryRows("SELECT md5(coalesce(string_agg(code || ':' || severity || ':' || coalesce(fingerprint, ''), ',' "
                    + "ORDER BY code, severity, fingerprint), '')) AS d FROM read_parquet(" + dev.attest.io.duck.Duck.literal(f.toString()) + ")");
            return String.valueOf(r.get(0).get("d"));
        }
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
