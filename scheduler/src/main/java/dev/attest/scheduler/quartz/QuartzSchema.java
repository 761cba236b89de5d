package dev.attest.scheduler.quartz;

import dev.attest.jobs.MetadataSchema;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Creates Quartz's tables on first start from the scripts in the Quartz jar, without their DROP statements
 * (Spring Boot's initializer runs them as they are, which would delete every trigger on each restart). Two nodes
 * starting together on an empty database take turns ({@link MetadataSchema}): the second finds the tables there.
 */
public final class QuartzSchema {
    private QuartzSchema() {}

    public static void ensure(DataSource ds) throws SQLException {
        try {
            create(ds);
        } catch (SQLException e) {
            // H2 has no advisory lock: two sessions may both have found no tables; the loser finds them now.
            try (Connection c = ds.getConnection()) {
                if (!exists(c)) throw e;
            }
        }
    }

    private static void create(DataSource ds) throws SQLException {
        MetadataSchema.apply(ds, (c, postgres) -> {
            if (exists(c)) return;
            String script = script(postgres ? "postgres" : "h2");
            try (Statement st = c.createStatement()) {
                for (String sql : script.split(";")) {
                    String s = stripComments(sql).trim();
                    if (s.isEmpty() || s.toUpperCase(Locale.ROOT).startsWith("DROP ") || s.equalsIgnoreCase("COMMIT")) continue;
                    st.execute(s);
                }
            }
        });
    }

    private static boolean exists(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        for (String name : new String[] {"QRTZ_LOCKS", "qrtz_locks"}) {
            try (ResultSet rs = md.getTables(null, null, name, null)) {
                if (rs.next()) return true;
            }
        }
        return false;
    }

    private static String stripComments(String sql) {
        StringBuilder sb = new StringBuilder();
        for (String line : sql.split("\n")) if (!line.trim().startsWith("--")) sb.append(line).append('\n');
        return sb.toString();
    }

    private static String script(String platform) {
        String path = "org/quartz/impl/jdbcjobstore/tables_" + platform + ".sql";
        try (InputStream in = QuartzSchema.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("Quartz schema script " + path + " is not on the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }
}
