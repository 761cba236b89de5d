package dev.attest.scheduler.nrt;

import dev.attest.io.input.InputFiles;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.MetadataSchema;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * When each input file of a near-real-time schedule landed: the first pass that saw it, in the metadata database
 * (so that every node agrees and a restart does not forget). Late data is judged by this, not by the rows' own
 * {@code ingested_at}: a feed that stamps rows a minute after their event but delivers the file two hours later
 * delivered them two hours late (issue 16, item 6). Files already there on a schedule's first look have no
 * landing time (when they landed is not known): their rows are judged by their own arrival columns, as before.
 * SQL inputs have no files; their rows are judged by their arrival columns.
 */
public final class Landings {
    public static final String TABLE = "ATTEST_FILE_LANDED";
    /** The marker row of a schedule's first look (its file name is empty). */
    private static final String LOOKED = "";

    private final JdbcTemplate jdbc;

    public Landings(DataSource ds) {
        this.jdbc = new JdbcTemplate(ds);
    }

    public Landings create() {
        jdbc.execute((ConnectionCallback<Void>) c -> {
            MetadataSchema.create(c, "CREATE TABLE IF NOT EXISTS " + TABLE + " (schedule VARCHAR(100) NOT NULL, file VARCHAR(2000) NOT NULL, "
                    + "landed_us BIGINT, PRIMARY KEY (schedule, file))");
            return null;
        });
        return this;
    }

    /**
     * Records the files of {@code sources} not seen before as landed {@code now} (unknown on the schedule's first
     * look) and returns every known file's landing time by file name (absent: unknown).
     */
    public Map<String, Instant> look(String schedule, Instant now, List<InputSource> sources, List<String> inputNames) {
        boolean first = jdbc.queryForObject("SELECT count(*) FROM " + TABLE + " WHERE schedule = ? AND file = ?", Long.class, schedule, LOOKED) == 0;
        Map<String, Instant> known = new HashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        jdbc.query("SELECT file, landed_us FROM " + TABLE + " WHERE schedule = ?", rs -> {
            seen.add(rs.getString(1));
            long us = rs.getLong(2);
            if (!rs.wasNull()) known.put(rs.getString(1), Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1_000L));
        }, schedule);
        for (int i = 0; i < sources.size(); i++) {
            if (!(sources.get(i) instanceof InputSource.Files f)) continue;
            List<InputFiles.DataFile> files;
            try {
                files = InputFiles.resolve(inputNames.get(i), f.path());
            } catch (RuntimeException missing) {
                continue; // the audit reports a missing input; nothing landed
            }
            for (InputFiles.DataFile d : files) {
                if (seen.contains(d.name())) continue;
                Instant landed = first ? null : now;
                insert(schedule, d.name(), landed);
                if (landed != null) known.put(d.name(), landed);
            }
        }
        if (first) insert(schedule, LOOKED, null);
        return known;
    }

    private void insert(String schedule, String file, Instant landed) {
        try {
            jdbc.update("INSERT INTO " + TABLE + " (schedule, file, landed_us) VALUES (?, ?, ?)", schedule, file,
                    landed == null ? null : landed.getEpochSecond() * 1_000_000L + landed.getNano() / 1_000L);
        } catch (DataIntegrityViolationException another) {
            // another node recorded it first: its time stands
        }
    }
}
