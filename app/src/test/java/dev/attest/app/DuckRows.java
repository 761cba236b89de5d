package dev.attest.app;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Rows of a query over a run's files, each as its values joined by a separator, read with an in-memory DuckDB. */
final class DuckRows {
    private DuckRows() {}

    static List<String> of(String sql, String separator) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) sb.append(i > 1 ? separator : "").append(rs.getString(i));
                out.add(sb.toString());
            }
        }
        return out;
    }
}
