package dev.attest.scheduler;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.attest.core.findings.Severity;
import dev.attest.generator.Generator;
import dev.attest.io.input.InputSource;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.window.WindowSpec;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Shared test inputs: a small generated dataset (January and February 2026), schedules over it, databases. */
public final class Fixtures {
    private Fixtures() {}

    public static Path generate(Path dir, long events, long seed) {
        new Generator(1, Generator.DEFAULT_CHUNK_ROWS).generate(dir, events, seed);
        return dir;
    }

    public static AuditSchedule nightly(String name, Path data, Path out, String cron, ZoneId zone, Instant start, Instant end,
                                        Duration allowance, Duration lateAfter, int maxAttempts, Duration retryDelay, List<URI> hooks) {
        return new AuditSchedule(name, AuditSchedule.Mode.WINDOWS, cron, zone, new WindowSpec.Calendar(WindowSpec.Unit.DAY), allowance,
                start, end, lateAfter, null, InputSource.files(data.resolve("events").toString()),
                InputSource.files(data.resolve("decisions").toString()), data.resolve("policies").toString(), null, BigDecimal.ZERO,
                Duration.ofHours(1), out, Severity.ERROR, maxAttempts, retryDelay, true, hooks);
    }

    public static String h2(Path file) {
        return "jdbc:h2:file:" + file.toAbsolutePath() + ";AUTO_SERVER=TRUE";
    }

    public static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    /** A PostgreSQL database of its own for one test (ATTEST_TEST_PG_URL), dropped by {@link #close()}. */
    public static final class PgDatabase implements AutoCloseable {
        private final String admin;
        public final String name;

        private PgDatabase(String admin, String name) {
            this.admin = admin;
            this.name = name;
        }

        /** Skips the test (assumption) when no PostgreSQL answers, unless ATTEST_REQUIRE_PG=1. */
        public static PgDatabase create() throws SQLException {
            String admin = System.getenv("ATTEST_TEST_PG_URL");
            boolean required = "1".equals(System.getenv("ATTEST_REQUIRE_PG"));
            String why = null;
            if (admin == null) why = "ATTEST_TEST_PG_URL is not set";
            else {
                try (Connection c = DriverManager.getConnection(admin)) {
                    c.isValid(2);
                } catch (SQLException e) {
                    why = "PostgreSQL at " + admin + " does not answer: " + e.getMessage();
                }
            }
            if (why != null && required) throw new IllegalStateException("ATTEST_REQUIRE_PG=1 but " + why);
            assumeTrue(why == null, why);
            String name = "attest_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (Connection c = DriverManager.getConnection(admin); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + name);
            }
            return new PgDatabase(admin, name);
        }

        public String url() {
            int q = admin.indexOf('?');
            String base = q < 0 ? admin : admin.substring(0, q);
            return base.substring(0, base.lastIndexOf('/') + 1) + name + (q < 0 ? "" : admin.substring(q));
        }

        @Override
        public void close() throws SQLException {
            try (Connection c = DriverManager.getConnection(admin); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }
}
