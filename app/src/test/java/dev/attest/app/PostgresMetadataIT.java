package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run history in PostgreSQL, the production metadata store: the schema is created on first start and a
 * repeated identical audit is recognised from it. Needs ATTEST_TEST_PG_URL (a JDBC URL of a server where it may
 * create databases); skipped, saying why, where none answers, unless ATTEST_REQUIRE_PG=1 (.ci/run) makes that a failure.
 */
class PostgresMetadataIT {
    static final Path SCENARIO = Path.of("src/test/resources/scenarios/quota-denied");

    @TempDir
    Path tmp;

    private TestDatabases database;

    @BeforeEach
    void createDatabase() throws SQLException {
        database = TestDatabases.postgres();
    }

    @AfterEach
    void dropDatabase() throws SQLException {
        if (database != null) database.close();
    }

    private String url() {
        return database.url();
    }

    @Test
    void runHistoryLivesInPostgresAndARepeatedAuditIsRecognised() throws Exception {
        String[] args = {"audit", "--events", SCENARIO.resolve("events.csv").toString(), "--decisions", SCENARIO.resolve("decisions.csv").toString(),
                "--policies", SCENARIO.resolve("policies").toString(), "--out", tmp.resolve("runs").toString(), "--metadata", url(),
                "--as-of", "2026-03-01T00:00:00Z"};
        ScenarioIT.Run first = ScenarioIT.Run.of(args);
        assertThat(first.exit()).as(first.stderr()).isEqualTo(1);
        try (Connection c = DriverManager.getConnection(url()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT s.STEP_NAME, s.STATUS FROM BATCH_STEP_EXECUTION s ORDER BY s.STEP_EXECUTION_ID")) {
            StringBuilder steps = new StringBuilder();
            while (rs.next()) steps.append(rs.getString(1)).append('=').append(rs.getString(2)).append(' ');
            assertThat(steps.toString().trim()).isEqualTo("stage=COMPLETED rate=COMPLETED reconcile=COMPLETED write=COMPLETED");
        }
        ScenarioIT.Run second = ScenarioIT.Run.of(args);
        assertThat(second.stderr()).contains("already ran");
        assertThat(second.lastStdoutLine()).isEqualTo(first.lastStdoutLine());
        try (Connection c = DriverManager.getConnection(url()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM BATCH_JOB_EXECUTION")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the repeated audit did not run again").isEqualTo(1);
        }
    }
}
