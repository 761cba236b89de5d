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
        LoggerFactory.getLogger(NightlySeed.class).info("seeded {} partitions from state {} taken at {}", seeds.size(), m.id(), m.through());
        return new LiveAudit.Seed(m.through(), seeds);
    }
}
