package dev.attest.app;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A PostgreSQL database of its own for one test, on the server of ATTEST_TEST_PG_URL; skipped, saying why, where
 * none answers, unless ATTEST_REQUIRE_PG=1 makes that a failure. {@link #close()} drops it.
 */
final class TestDatabases implements AutoCloseable {
    private final String adminUrl;
    private final String database;

    private TestDatabases(String adminUrl, String database) {
        this.adminUrl = adminUrl;
        this.database = database;
    }

    static TestDatabases postgres() throws SQLException {
        String adminUrl = System.getenv("ATTEST_TEST_PG_URL");
        boolean required = "1".equals(System.getenv("ATTEST_REQUIRE_PG"));
        String why = null;
        if (adminUrl == null) why = "ATTEST_TEST_PG_URL is not set";
        else {
            try (Connection c = DriverManager.getConnection(adminUrl)) {
                c.isValid(2);
            } catch (SQLException e) {
                why = "PostgreSQL at " + adminUrl + " does not answer: " + e.getMessage();
            }
        }
        if (why != null && required) throw new IllegalStateException("ATTEST_REQUIRE_PG=1 but " + why);
        assumeTrue(why == null, why);
        String database = "attest_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(adminUrl); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + database);
        }
        return new TestDatabases(adminUrl, database);
    }

    String url() {
        int q = adminUrl.indexOf('?');
        String base = q < 0 ? adminUrl : adminUrl.substring(0, q);
        return base.substring(0, base.lastIndexOf('/') + 1) + database + (q < 0 ? "" : adminUrl.substring(q));
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }
}
