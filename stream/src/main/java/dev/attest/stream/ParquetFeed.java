package dev.attest.stream;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Generated data (attest generate's Parquet events and decisions) as the JSON messages a live system would publish,
 * keyed by customer_id, each list in arrival order: an event when it was ingested, a decision when it was decided.
 */
public final class ParquetFeed {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** One message; {@code id} is the event_id or decision_id. */
    public record Message(String key, String json, Instant arrival, long row, String id) {}

    private ParquetFeed() {}

    public static List<Message> events(Path data) throws SQLException {
        String sql = "SELECT event_id, customer_id, meter, CAST(quantity AS VARCHAR), epoch_us(event_time), epoch_us(ingested_at), CAST(value AS VARCHAR), "
                + "dimensions FROM read_parquet('" + data.resolve("events").toString().replace("'", "''") + "/**/*.parquet')";
        List<Message> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            long row = 0;
            while (rs.next()) {
                ObjectNode o = JSON.createObjectNode();
                o.put("event_id", rs.getString(1));
                o.put("customer_id", rs.getString(2));
                o.put("meter", rs.getString(3));
                o.put("quantity", rs.getString(4));
                Instant t = micros(rs, 5), ingested = micros(rs, 6);
                o.put("event_time", t.toString());
                if (ingested != null) o.put("ingested_at", ingested.toString());
                if (rs.getString(7) != null) o.put("value", rs.getString(7));
                if (rs.getString(8) != null) o.put("dimensions", rs.getString(8));
                out.add(new Message(rs.getString(2), o.toString(), ingested != null ? ingested : t, row++, rs.getString(1)));
            }
        }
        out.sort(Comparator.comparing(Message::arrival).thenComparing(Message::row));
        return out;
    }

    public static List<Message> decisions(Path data) throws SQLException {
        String sql = "SELECT decision_id, event_id, customer_id, meter, outcome, CAST(amount AS VARCHAR), currency, price_policy_id, price_version, "
                + "discount_policy_id, discount_version, entitlement_policy_id, entitlement_version, epoch_us(decided_at), invoice_id FROM read_parquet('"
                + data.resolve("decisions").toString().replace("'", "''") + "/**/*.parquet')";
        List<Message> out = new ArrayList<>();
        String[] names = {"decision_id", "event_id", "customer_id", "meter", "outcome", "amount", "currency", "price_policy_id", "price_version",
                "discount_policy_id", "discount_version", "entitlement_policy_id", "entitlement_version", "decided_at", "invoice_id"};
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            long row = 0;
            while (rs.next()) {
                ObjectNode o = JSON.createObjectNode();
                Instant decided = micros(rs, 14);
                for (int i = 0; i < names.length; i++) {
                    if (i == 13) o.put(names[i], decided.toString());
                    else if (i == 8 || i == 10 || i == 12) {
                        int v = rs.getInt(i + 1);
                        if (!rs.wasNull()) o.put(names[i], v);
                    } else if (rs.getString(i + 1) != null) o.put(names[i], rs.getString(i + 1));
                }
                out.add(new Message(rs.getString(3), o.toString(), decided, row++, rs.getString(1)));
            }
        }
        out.sort(Comparator.comparing(Message::arrival).thenComparing(Message::row));
        return out;
    }

    private static Instant micros(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : Instant.EPOCH.plus(v, ChronoUnit.MICROS);
    }

}
