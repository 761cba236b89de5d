package dev.attest.scheduler.ledger;

import dev.attest.jobs.MetadataSchema;
import dev.attest.scheduler.window.Window;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The window ledger: one row per (schedule, window_start) in the metadata database, beside Batch's and Quartz's
 * tables. It, not Quartz's misfire policy, guarantees that each window is audited exactly once: a window is
 * claimed by an atomic INSERT (first attempt) or a conditional UPDATE (retry, expired lease), so that two nodes
 * never hold it at once. A claim is a lease renewed by a heartbeat; a node that dies stops renewing, and after the
 * lease any node may take the window over (the audit launcher then restarts the Batch job from its failed step).
 * Instants are stored as epoch milliseconds: the same SQL on H2 and PostgreSQL, no time-zone conversions.
 */
public final class WindowLedger {
    public static final String TABLE = "ATTEST_WINDOW";

    private final JdbcTemplate jdbc;

    public WindowLedger(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /** Creates the table on first start (idempotent; safe when two nodes start together: {@link MetadataSchema}). */
    public WindowLedger create() {
        jdbc.execute((ConnectionCallback<Void>) c -> {
            MetadataSchema.create(c, DDL);
            MetadataSchema.create(c, MIGRATIONS);
            return null;
        });
        return this;
    }

    private static final String DDL = "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                + "schedule VARCHAR(100) NOT NULL, window_start BIGINT NOT NULL, window_end BIGINT NOT NULL, due_at BIGINT NOT NULL, "
                + "status VARCHAR(10) NOT NULL, attempts INT NOT NULL, node VARCHAR(200), lease_until BIGINT, not_before BIGINT, "
                + "started_at BIGINT, finished_at BIGINT, late BOOLEAN NOT NULL, run_dir VARCHAR(2000), exit_status INT, "
                + "message VARCHAR(4000), watermark BIGINT, seen_rows BIGINT NOT NULL, audits INT NOT NULL, as_of BIGINT, "
                + "PRIMARY KEY (schedule, window_start))";

    // Columns added after version 1, on tables created before them (H2 and PostgreSQL both take IF NOT EXISTS).
    // watermark_us: the near-real-time watermark in microseconds, the precision arrival times have in the data; a
    // watermark kept in milliseconds made every sub-millisecond arrival look newer than itself, so every pass
    // re-audited (issue 16, item 1).
    private static final String[] MIGRATIONS = {
            "ALTER TABLE " + TABLE + " ADD COLUMN IF NOT EXISTS watermark_us BIGINT",
            // findings_digest: what the last findings alert of a near-real-time span said; the alert is sent again only
            // when a re-audit's findings differ (new ones, resolved ones), not on every pass (item 2).
            "ALTER TABLE " + TABLE + " ADD COLUMN IF NOT EXISTS findings_digest VARCHAR(64)",
            // epoch: counts the claims of a window; a claim is held only by (node, epoch), so a process paused past
            // its lease can neither renew, finish nor publish once the window was claimed again (item 3).
            "ALTER TABLE " + TABLE + " ADD COLUMN IF NOT EXISTS epoch BIGINT",
    };

    /**
     * Claims {@code w} for {@code node} until {@code now + lease}. {@code asOf} is the knowledge cut-off of the
     * audit this claim starts (stored, so that a retry restarts the same Batch job instance).
     */
    public Claim claim(String schedule, Window w, String node, Instant now, Duration lease, int maxAttempts, Instant asOf) {
        try {
            jdbc.update("INSERT INTO " + TABLE + " (schedule, window_start, window_end, due_at, status, attempts, node, lease_until, "
                            + "started_at, late, seen_rows, audits, as_of, epoch) VALUES (?, ?, ?, ?, 'RUNNING', 1, ?, ?, ?, FALSE, 0, 0, ?, 1)",
                    schedule, ms(w.start()), ms(w.end()), ms(w.dueAt()), node, ms(now.plus(lease)), ms(now), ms(asOf));
            return new Claim.Claimed(1, asOf, 1);
        } catch (DataIntegrityViolationException taken) {
            // The row exists: retry, take over an expired lease, or leave it.
        }
        int n = jdbc.update("UPDATE " + TABLE + " SET status = 'RUNNING', attempts = attempts + 1, node = ?, lease_until = ?, started_at = ?, "
                        + "epoch = COALESCE(epoch, 0) + 1 "
                        + "WHERE schedule = ? AND window_start = ? AND attempts < ? AND ((status = 'RETRY' AND (not_before IS NULL OR not_before <= ?)) "
                        + "OR (status = 'RUNNING' AND lease_until < ?))",
                node, ms(now.plus(lease)), ms(now), schedule, ms(w.start()), maxAttempts, ms(now), ms(now));
        LedgerRow row = find(schedule, w.start()).orElseThrow();
        if (n == 1) return new Claim.Claimed(row.attempts(), row.asOf(), epoch(schedule, w.start()));
        if (row.status() == LedgerRow.Status.RUNNING && row.leaseUntil().isBefore(now) && row.attempts() >= maxAttempts) {
            int gaveUp = jdbc.update("UPDATE " + TABLE + " SET status = 'FAILED', finished_at = ?, message = ? "
                            + "WHERE schedule = ? AND window_start = ? AND status = 'RUNNING' AND lease_until < ? AND node = ?",
                    ms(now), "node " + row.node() + " died during attempt " + row.attempts() + " of " + maxAttempts,
                    schedule, ms(w.start()), ms(now), row.node());
            if (gaveUp == 1) return new Claim.Abandoned(row.node(), row.attempts());
        }
        return switch (row.status()) {
            case DONE -> new Claim.Done();
            case FAILED -> new Claim.Failed();
            case RETRY -> row.attempts() >= maxAttempts ? new Claim.Failed() : new Claim.NotYet(row.notBefore());
            case RUNNING -> new Claim.Busy(row.node(), row.leaseUntil());
        };
    }

    /**
     * Near-real-time: claims a completed (or failed) span again because new data arrived (or the span grew).
     * Succeeds for one node only: the update is conditional on the row's status and audit count as this node read them.
     */
    public long reclaim(String schedule, Instant windowStart, String node, Instant now, Duration lease, Instant asOf, int expectedAudits) {
        int n = jdbc.update("UPDATE " + TABLE + " SET status = 'RUNNING', attempts = 1, node = ?, lease_until = ?, started_at = ?, as_of = ?, "
                        + "late = FALSE, not_before = NULL, epoch = COALESCE(epoch, 0) + 1 "
                        + "WHERE schedule = ? AND window_start = ? AND status IN ('DONE', 'FAILED') AND audits = ?",
                node, ms(now.plus(lease)), ms(now), ms(asOf), schedule, ms(windowStart), expectedAudits);
        return n == 1 ? epoch(schedule, windowStart) : -1;
    }

    /** The claim count of a window (0 when never claimed). */
    public long epoch(String schedule, Instant windowStart) {
        List<Long> v = jdbc.queryForList("SELECT COALESCE(epoch, 0) FROM " + TABLE + " WHERE schedule = ? AND window_start = ?", Long.class,
                schedule, ms(windowStart));
        return v.isEmpty() ? 0 : v.get(0);
    }

    /** Renews this node's lease; false when the claim is no longer ours (it expired and was taken over). */
    public boolean heartbeat(String schedule, Instant windowStart, String node, Instant leaseUntil) {
        return jdbc.update("UPDATE " + TABLE + " SET lease_until = ? WHERE schedule = ? AND window_start = ? AND node = ? AND status = 'RUNNING'",
                ms(leaseUntil), schedule, ms(windowStart), node) == 1;
    }

    /** Renews the lease of claim {@code epoch}; false when it is no longer held (taken over, or released). */
    public boolean heartbeat(String schedule, Instant windowStart, String node, long epoch, Instant leaseUntil) {
        return jdbc.update("UPDATE " + TABLE + " SET lease_until = ? WHERE schedule = ? AND window_start = ? AND node = ? AND epoch = ? "
                + "AND status = 'RUNNING'", ms(leaseUntil), schedule, ms(windowStart), node, epoch) == 1;
    }

    /** Null while claim {@code epoch} of {@code node} still holds the window; else why not (the publish fence). */
    public String lost(String schedule, Instant windowStart, String node, long epoch) {
        Optional<LedgerRow> row = find(schedule, windowStart);
        if (row.isEmpty()) return "window " + windowStart + " of schedule " + schedule + " is not in the ledger";
        long now = epoch(schedule, windowStart);
        if (row.get().status() == LedgerRow.Status.RUNNING && node.equals(row.get().node()) && now == epoch) return null;
        return "node " + node + " lost its claim " + epoch + " of window " + windowStart + " (now " + row.get().status()
                + (row.get().node() == null ? "" : " by node " + row.get().node()) + ", claim " + now + ")";
    }

    /**
     * Gives claim {@code epoch} back without using up its attempt, to be claimed again from {@code notBefore}: the
     * audit's workspace is held by another process (a holder paused past its lease that is still auditing), so
     * this attempt could not start; waiting for it costs nothing, burning the attempts would fail the window.
     */
    public boolean release(String schedule, Instant windowStart, String node, long epoch, Instant notBefore, String message) {
        return jdbc.update("UPDATE " + TABLE + " SET status = 'RETRY', attempts = attempts - 1, lease_until = NULL, not_before = ?, message = ? "
                        + "WHERE schedule = ? AND window_start = ? AND node = ? AND epoch = ? AND status = 'RUNNING'",
                ms(notBefore), truncate(message), schedule, ms(windowStart), node, epoch) == 1;
    }

    /** How an attempt ended. */
    public record Finish(LedgerRow.Status status, Instant windowEnd, Instant finishedAt, boolean late, String runDir, Integer exitStatus,
                         String message, Instant notBefore, Instant watermark, long seenRows) {}

    /** Records the end of claim {@code epoch}; false when it was no longer held (nothing is written then). */
    public boolean finish(String schedule, Instant windowStart, String node, long epoch, Finish f) {
        boolean done = f.status() == LedgerRow.Status.DONE;
        return jdbc.update("UPDATE " + TABLE + " SET status = ?, window_end = ?, finished_at = ?, late = ?, run_dir = COALESCE(?, run_dir), "
                        + "exit_status = ?, message = ?, not_before = ?, lease_until = NULL, watermark = COALESCE(?, watermark), "
                        + "watermark_us = COALESCE(?, watermark_us), "
                        + "seen_rows = ?, audits = audits + ? WHERE schedule = ? AND window_start = ? AND node = ? AND epoch = ? AND status = 'RUNNING'",
                f.status().name(), ms(f.windowEnd()), ms(f.finishedAt()), f.late(), f.runDir(), f.exitStatus(), truncate(f.message()),
                ms(f.notBefore()), ms(f.watermark()), us(f.watermark()), f.seenRows(), done ? 1 : 0, schedule, ms(windowStart), node, epoch) == 1;
    }

    /** The digest of the findings last alerted for this window, or null. */
    public String findingsDigest(String schedule, Instant windowStart) {
        List<String> v = jdbc.queryForList("SELECT findings_digest FROM " + TABLE + " WHERE schedule = ? AND window_start = ?", String.class,
                schedule, ms(windowStart));
        return v.isEmpty() ? null : v.get(0);
    }

    /**
     * Records {@code digest} as the findings last alerted for this window, if it differs from the one recorded:
     * true when it did (the caller sends the alert). One node wins when two race.
     */
    public boolean alertFindings(String schedule, Instant windowStart, String digest) {
        return jdbc.update("UPDATE " + TABLE + " SET findings_digest = ? WHERE schedule = ? AND window_start = ? "
                + "AND (findings_digest IS NULL OR findings_digest <> ?)", digest, schedule, ms(windowStart), digest) == 1;
    }

    public Optional<LedgerRow> find(String schedule, Instant windowStart) {
        return jdbc.query("SELECT * FROM " + TABLE + " WHERE schedule = ? AND window_start = ?", WindowLedger::row, schedule, ms(windowStart))
                .stream().findFirst();
    }

    /** Windows claimed or waiting for a retry, oldest first. */
    public List<LedgerRow> unfinished(String schedule) {
        return jdbc.query("SELECT * FROM " + TABLE + " WHERE schedule = ? AND status IN ('RUNNING', 'RETRY') ORDER BY window_start",
                WindowLedger::row, schedule);
    }

    /** Every row of a schedule (all schedules when null), oldest first. */
    public List<LedgerRow> rows(String schedule) {
        return schedule == null ? jdbc.query("SELECT * FROM " + TABLE + " ORDER BY schedule, window_start", WindowLedger::row)
                : jdbc.query("SELECT * FROM " + TABLE + " WHERE schedule = ? ORDER BY window_start", WindowLedger::row, schedule);
    }

    /** The start of the newest window the ledger knows of a schedule, or null. */
    public Instant lastWindowStart(String schedule) {
        Long v = jdbc.queryForObject("SELECT MAX(window_start) FROM " + TABLE + " WHERE schedule = ?", Long.class, schedule);
        return v == null ? null : Instant.ofEpochMilli(v);
    }

    private static LedgerRow row(ResultSet rs, int i) throws SQLException {
        return new LedgerRow(rs.getString("schedule"), instant(rs, "window_start"), instant(rs, "window_end"), instant(rs, "due_at"),
                LedgerRow.Status.valueOf(rs.getString("status")), rs.getInt("attempts"), rs.getString("node"), instant(rs, "lease_until"),
                instant(rs, "not_before"), instant(rs, "started_at"), instant(rs, "finished_at"), rs.getBoolean("late"), rs.getString("run_dir"),
                integer(rs, "exit_status"), rs.getString("message"),
                watermark(rs), rs.getLong("seen_rows"), rs.getInt("audits"), instant(rs, "as_of"));
    }

    private static Instant instant(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    /** The watermark at the precision it was recorded: microseconds, else (rows of version 1) milliseconds. */
    private static Instant watermark(ResultSet rs) throws SQLException {
        long us = rs.getLong("watermark_us");
        if (!rs.wasNull()) return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1_000L);
        return instant(rs, "watermark");
    }

    private static Long us(Instant t) {
        return t == null ? null : Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000L);
    }

    private static Integer integer(ResultSet rs, String col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }

    private static Long ms(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 4000 ? s : s.substring(0, 3997) + "...";
    }
}
