package dev.attest.stream;

import dev.attest.core.live.LiveAudit;
import dev.attest.core.rating.PeriodState;
import dev.attest.engine.state.StateStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The last nightly state seeds a stream started mid-period (issue 17): the newest carried state under an audit's output
 * folder (engine's {@link StateStore}) gives each open (customer, meter, period) its fold position at the state's instant,
 * and everything before that instant is the nightly audit's.
 */
final class NightlySeed {
    private NightlySeed() {}

    static LiveAudit.Seed load(Path auditOut) {
        List<StateStore.Meta> states = StateStore.list(auditOut);
        if (states.isEmpty()) throw new IllegalArgumentException("--state " + auditOut + " holds no carried state (" + StateStore.folder(auditOut) + ")");
        StateStore.Meta m = states.get(0);
        Map<LiveAudit.SeedKey, PeriodState> seeds = new HashMap<>();
        String file = StateStore.parquet(auditOut, m.id()).toString().replace("'", "''");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT customer_id, meter, epoch_us(period_start), known_before, known_volume_fee_due, corrected_before, "
                     + "corrected_volume_fee_due FROM read_parquet('" + file + "')")) {
            while (rs.next()) {
                Instant start = Instant.EPOCH.plus(rs.getLong(3), ChronoUnit.MICROS);
                seeds.put(new LiveAudit.SeedKey(rs.getString(1), rs.getString(2), start),
                        new PeriodState(rs.getBigDecimal(4), rs.getBoolean(5), rs.getBigDecimal(6), rs.getBoolean(7)));
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException("carried state " + file + " is not readable: " + e.getMessage(), e);
        }
        Map<String, java.util.Set<String>> before = eventsBefore(m, seeds);
        LoggerFactory.getLogger(NightlySeed.class).info("seeded {} partitions and {} customers' earlier event ids from state {} taken at {}",
                seeds.size(), before.size(), m.id(), m.through());
        return new LiveAudit.Seed(m.through(), seeds, before);
    }

    /**
     * The ids of the events of the open periods before the state's instant, from the input files the state pins: a
     * decision that comes after the instant for one of them belongs to the nightly audit (whose staging finds such events
     * among the files it skipped), not to the stream's orphans.
     */
    private static Map<String, java.util.Set<String>> eventsBefore(StateStore.Meta m, Map<LiveAudit.SeedKey, PeriodState> seeds) {
        Map<String, java.util.Set<String>> out = new HashMap<>();
        if (seeds.isEmpty()) return out;
        Instant from = seeds.keySet().stream().map(LiveAudit.SeedKey::periodStart).min(Instant::compareTo).orElseThrow();
        List<String> scans = new java.util.ArrayList<>();
        for (StateStore.Pinned p : m.files()) {
            if (!p.input().equals("events")) continue;
            String f = "'" + p.path().replace("'", "''") + "'";
            String lower = p.path().toLowerCase(java.util.Locale.ROOT);
            String scan = lower.endsWith(".parquet") ? "read_parquet(" + f + ")" : lower.endsWith(".csv") ? "read_csv(" + f + ", header = true, all_varchar = true)"
                    : "read_json(" + f + ", format = 'newline_delimited', columns = {event_id: 'VARCHAR', customer_id: 'VARCHAR', event_time: 'VARCHAR'})";
            scans.add("SELECT CAST(customer_id AS VARCHAR) AS c, CAST(event_id AS VARCHAR) AS e, TRY_CAST(event_time AS TIMESTAMPTZ) AS t FROM " + scan);
        }
        if (scans.isEmpty()) return out;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT DISTINCT c, e FROM (" + String.join(" UNION ALL ", scans) + ") WHERE t >= to_timestamp(" + from.getEpochSecond()
                     + ") AND t < to_timestamp(" + m.through().getEpochSecond() + ") AND c IS NOT NULL AND e IS NOT NULL")) {
            while (rs.next()) out.computeIfAbsent(rs.getString(1), k -> new java.util.HashSet<>()).add(rs.getString(2));
        } catch (SQLException e) {
            throw new IllegalArgumentException("the events the carried state " + m.id() + " pins are not readable: " + e.getMessage(), e);
        }
        return out;
    }
}
