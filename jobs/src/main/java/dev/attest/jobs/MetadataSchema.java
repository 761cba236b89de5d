package dev.attest.jobs;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Creates Attest's own tables in the metadata database (window ledger, finding lifecycle, Quartz's), one node at a
 * time. On PostgreSQL, {@code CREATE TABLE IF NOT EXISTS} is not safe when two nodes start together on an empty
 * database: both pass the existence check, and the second fails on the catalog's unique index. So each change runs
 * in one transaction holding {@link MetadataLock#SCHEMA}; the node that waited then finds the tables there.
 */
public final class MetadataSchema {
    private MetadataSchema() {}

    /** The schema change, on a connection inside the locked transaction. */
    @FunctionalInterface
    public interface Change {
        void apply(Connection c, boolean postgres) throws SQLException;
    }

    /** Runs these {@code CREATE ... IF NOT EXISTS} statements as one change. */
    public static void create(DataSource ds, String... ddl) throws SQLException {
        apply(ds, statements(ddl));
    }

    /** As {@link #create(DataSource, String...)}, on a connection the caller holds. */
    public static void create(Connection c, String... ddl) throws SQLException {
        apply(c, statements(ddl));
    }

    private static Change statements(String... ddl) {
        return (c, postgres) -> {
            try (Statement st = c.createStatement()) {
                for (String sql : ddl) st.execute(sql);
            }
        };
    }

    public static void apply(DataSource ds, Change change) throws SQLException {
        try (Connection c = ds.getConnection()) {
            apply(c, change);
        }
    }

    /** Runs {@code change} in a transaction of its own on {@code c}, serialised with every other node's on PostgreSQL. */
    public static void apply(Connection c, Change change) throws SQLException {
        try {
            once(c, change);
        } catch (SQLException e) {
            // H2 has no schema lock to take: two audits starting together on a new H2 file can both pass an
            // "IF NOT EXISTS" check, and the second then fails with "object already exists". The other one made
            // the object: run the change again, and it finds everything there (issue 13, two audits at once).
            if (!String.valueOf(e.getMessage()).contains("already exists") || MetadataLock.isPostgres(c)) throw e;
            once(c, change);
        }
    }

    private static void once(Connection c, Change change) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            boolean postgres = MetadataLock.isPostgres(c);
            MetadataLock.SCHEMA.hold(c);
            change.apply(c, postgres);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
