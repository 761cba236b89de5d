package dev.attest.stream;

import dev.attest.jobs.lifecycle.LifecycleStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

/**
 * Settled findings roll into hourly files under {@code OUT/findings/hour=YYYY-MM-DDTHH/}: appended as JSON Lines once their
 * transaction committed; when the hour is over (or at shutdown, or at the next start after a kill) written as
 * {@code findings.parquet} and recorded in the metadata database's finding history as run {@code stream:GROUP:HOUR}, so
 * {@code attest findings --fingerprint} and the nightly report's first-seen see them. The findings topic is the record:
 * a kill between a commit and the append can leave an hour's file short.
 */
final class HourlyFindings implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HourlyFindings.class);
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH").withZone(ZoneOffset.UTC);
    private final Path root;
    private final LifecycleStore history;
    private final String runPrefix;
    private final Map<String, List<String>> buffered = new LinkedHashMap<>(), sealed = new LinkedHashMap<>();
    private String currentHour;

    HourlyFindings(Path out, String metadataUrl, String runPrefix) {
        this.root = out.resolve("findings");
        this.history = metadataUrl == null ? null : new LifecycleStore(new DriverManagerDataSource(metadataUrl));
        this.runPrefix = runPrefix;
        recover();
    }

    void add(Instant at, String json, String fingerprint, String code) {
        buffered.computeIfAbsent(HOUR.format(at), h -> new ArrayList<>()).add(json);
    }

    /** The transaction being committed holds what was added so far; what is added next belongs to the one after it. */
    void seal() {
        for (Map.Entry<String, List<String>> e : buffered.entrySet()) sealed.computeIfAbsent(e.getKey(), h -> new ArrayList<>()).addAll(e.getValue());
        buffered.clear();
    }

    /** After a commit: appends what the sealed transaction settled, and closes the hours that are over. */
    void flush() {
        try {
            for (Map.Entry<String, List<String>> e : sealed.entrySet()) {
                Path dir = Files.createDirectories(root.resolve("hour=" + e.getKey()));
                Files.write(dir.resolve("findings.jsonl"), e.getValue(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                if (currentHour != null && !currentHour.equals(e.getKey())) closeHour(currentHour);
                currentHour = e.getKey();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write hourly findings under " + root, e);
        } finally {
            sealed.clear();
        }
    }

    /** Hours a killed process left open (JSON Lines without Parquet) are closed now. */
    private void recover() {
        if (!Files.isDirectory(root)) return;
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.sorted().toList()) {
                String name = d.getFileName().toString();
                if (name.startsWith("hour=") && Files.exists(d.resolve("findings.jsonl")) && !Files.exists(d.resolve("findings.parquet")))
                    closeHour(name.substring(5));
            }
        } catch (IOException e) {
            LOG.warn("cannot look for open hours under {}: {}", root, e.getMessage());
        }
    }

    private void closeHour(String hour) {
        Path dir = root.resolve("hour=" + hour);
        Path jsonl = dir.resolve("findings.jsonl");
        if (!Files.exists(jsonl)) return;
        String in = jsonl.toString().replace("'", "''"), out = dir.resolve("findings.parquet").toString().replace("'", "''");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("COPY (SELECT * FROM read_json('" + in + "', format = 'newline_delimited', columns = {" + COLUMNS
                    + "}) ORDER BY code, event_id, decision_id) TO '" + out + "' (FORMAT parquet)");
        } catch (SQLException e) {
            LOG.warn("hourly findings {} stay JSON Lines only: {}", jsonl, e.getMessage());
        }
        if (history == null) return;
        try {
            Map<String, String> codes = new TreeMap<>();
            for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                JsonNode f = Messages.JSON.readTree(line);
                codes.put(f.get("fingerprint").asString(), f.get("code").asString());
            }
            Instant asOf = LocalDateTime.parse(hour + ":00").toInstant(ZoneOffset.UTC);
            history.recordRun(runPrefix + ":" + hour, asOf, Instant.now(), codes); // once per run id: a repeat changes nothing
        } catch (IOException | SQLException | RuntimeException e) {
            LOG.warn("hour {} of settled findings is not in the finding history: {}", hour, e.getMessage());
        }
    }

    private static final String COLUMNS = "run_id: 'VARCHAR', fingerprint: 'VARCHAR', code: 'VARCHAR', severity: 'VARCHAR', event_id: 'VARCHAR', "
            + "decision_id: 'VARCHAR', customer_id: 'VARCHAR', meter: 'VARCHAR', event_time: 'TIMESTAMPTZ', decided_at: 'TIMESTAMPTZ', "
            + "expected_amount: 'DECIMAL(38,9)', actual_amount: 'DECIMAL(38,9)', expected_outcome: 'VARCHAR', actual_outcome: 'VARCHAR', "
            + "difference: 'DECIMAL(38,9)', currency: 'VARCHAR', version_as_known: 'VARCHAR', version_as_corrected: 'VARCHAR', "
            + "version_applied: 'VARCHAR', explanation: 'VARCHAR', money_class: 'VARCHAR', money_amount: 'DECIMAL(38,9)', "
            + "money_effect: 'DECIMAL(38,9)', invoice_id: 'VARCHAR', billing_period: 'VARCHAR'";

    @Override
    public void close() {
        // Only committed findings were flushed; what is buffered or sealed here did not commit (a restart settles it again).
        if (currentHour != null) closeHour(currentHour);
    }
}
