package dev.attest.jobs;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Transaction-scoped locks that serialise Attest's read-then-write work in the shared metadata database across
 * nodes. On PostgreSQL they are advisory locks, released at commit or rollback (also when the process dies). H2 is
 * the single-node store (commands of one machine share it through AUTO_SERVER) and serialises DDL itself; there
 * {@link #hold} does nothing.
 */
public enum MetadataLock {
    /** Creating Attest's own tables: CREATE TABLE IF NOT EXISTS races on PostgreSQL when nodes start together. */
    SCHEMA(0x6174746573744444L), // "attestDD"
    /** Recording a run's findings: first/last seen and counts are read, then written. */
    FINDING_HISTORY(0x6174746573744648L); // "attestFH"

    private final long key;

    MetadataLock(long key) {
        this.key = key;
    }

    /** Waits for this lock in the current transaction of {@code c} (auto-commit must be off). */
    public void hold(Connection c) throws SQLException {
        if (c.getAutoCommit()) throw new IllegalStateException(this + " is transaction-scoped: auto-commit must be off");
        if (!isPostgres(c)) return;
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + key + ")");
        }
    }

    public static boolean isPostgres(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
    }
}
