package dev.attest.engine.backfill;

import dev.attest.io.duck.Duck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One day of an apply: that day's corrected decisions and partial adjustment lines, read from what
 * {@link ImpactPass#exportForApply} wrote. Each partition has its own in-memory DuckDB (partitions run in
 * parallel; the workspace database has one writer). Each file is written under a temporary name and renamed,
 * so a crash leaves either the whole file or none, and a rerun replaces it with the same bytes.
 */
public final class DayApply {
    private DayApply() {}

    public record Written(long decisions, long lines) {}

    /** The days of the export, sorted: one partition each. */
    public static List<String> days(Path exportDir) {
        List<String> out = new ArrayList<>();
        try (Duck duck = Duck.inMemory()) {
            for (Map<String, Object> r : duck.queryRows("SELECT DISTINCT day FROM read_parquet(" + corrections(exportDir) + ") ORDER BY day"))
                out.add((String) r.get("day"));
        }
        return out;
    }

    /**
     * Writes {@code decisionsFile} (the day's corrected decisions: contract columns first, then the reference to
     * what they correct) and {@code partFile} (the day's partial adjustment lines).
     */
    public static Written write(Path exportDir, String day, Path decisionsFile, Path partFile, Runnable beforeRename) throws IOException {
        if (!day.matches("\\d{4}-\\d{2}-\\d{2}")) throw new IllegalArgumentException("not a day: " + day);
        Files.createDirectories(decisionsFile.getParent());
        Files.createDirectories(partFile.getParent());
        Path decisionsTmp = decisionsFile.resolveSibling(decisionsFile.getFileName() + ".tmp");
        Path partTmp = partFile.resolveSibling(partFile.getFileName() + ".tmp");
        long decisions, lines;
        try (Duck duck = Duck.inMemory()) {
            duck.execute("SET threads=1"); // two partitions run at once on two cores
            String where = " WHERE day = " + Duck.literal(day);
            duck.execute("COPY (SELECT " + ImpactPass.DECISION_COLUMNS + ", original_decision_id, superseded_decision_ids, amount_before, "
                    + "correction_id, correcting_versions, event_time FROM read_parquet(" + corrections(exportDir) + ")" + where
                    + " ORDER BY event_time, event_id) TO " + Duck.literal(decisionsTmp.toString()) + " (FORMAT parquet, COMPRESSION zstd)");
            duck.execute("COPY (" + ImpactPass.partSelect("(SELECT * FROM read_parquet(" + Duck.literal(exportDir.resolve("contrib.parquet").toString())
                    + ")" + where + ")") + ImpactPass.linesOrder() + ") TO " + Duck.literal(partTmp.toString()) + " (FORMAT parquet, COMPRESSION zstd)");
            decisions = duck.queryLong("SELECT count(*) FROM read_parquet(" + Duck.literal(decisionsTmp.toString()) + ")");
            lines = duck.queryLong("SELECT count(*) FROM read_parquet(" + Duck.literal(partTmp.toString()) + ")");
        }
        beforeRename.run();
        Files.move(decisionsTmp, decisionsFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(partTmp, partFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new Written(decisions, lines);
    }

    private static String corrections(Path exportDir) {
        return Duck.literal(exportDir.resolve("corrections.parquet").toString());
    }
}
