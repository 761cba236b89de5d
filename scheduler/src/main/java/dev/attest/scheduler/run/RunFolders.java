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
        return digest(f);
    }

    /**
     * A near-real-time span's current findings, beside the run's own: {@value #SPAN_FINDINGS} holds the code, severity,
     * fingerprint, ids, data time (event_time, else decided_at), explanation and run id of every finding the span has now. A run of
     * the whole span has its own findings there; a run of the span's later windows only (from a carried state) has its
     * own, and for the windows before {@code auditFrom} the previous run's span findings.
     */
    public static final String SPAN_FINDINGS = "span_findings.parquet";

    public static void writeSpanFindings(Path runDir, Path previousRunDir, java.time.Instant auditFrom) {
        String own = "SELECT code, severity, fingerprint, event_id, decision_id, coalesce(event_time, decided_at) AS t, explanation, "
                + dev.attest.io.duck.Duck.literal(runDir.getFileName().toString()) + " AS run_id FROM read_parquet("
                + dev.attest.io.duck.Duck.literal(runDir.resolve("findings.parquet").toString()) + ")";
        String sql = previousRunDir == null ? own : own + " UNION ALL SELECT * FROM read_parquet("
                + dev.attest.io.duck.Duck.literal(previousRunDir.resolve(SPAN_FINDINGS).toString()) + ") WHERE t < TIMESTAMPTZ '" + auditFrom + "'";
        Path tmp = runDir.resolve("." + SPAN_FINDINGS + ".tmp");
        try (dev.attest.io.duck.Duck duck = dev.attest.io.duck.Duck.inMemory()) {
            duck.execute("COPY (" + sql + " ORDER BY code, severity, fingerprint, t) TO " + dev.attest.io.duck.Duck.literal(tmp.toString())
                    + " (FORMAT parquet, COMPRESSION zstd)");
            Files.move(tmp, runDir.resolve(SPAN_FINDINGS), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + runDir.resolve(SPAN_FINDINGS), e);
        }
    }

    /** {@link #findingsDigest} of a span's current findings ({@value #SPAN_FINDINGS}); null when there is none. */
    public static String spanFindingsDigest(Path runDir) {
        Path f = runDir == null ? null : runDir.resolve(SPAN_FINDINGS);
        if (f == null || !Files.isRegularFile(f)) return null;
        return digest(f);
    }

    private static String digest(Path f) {
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
