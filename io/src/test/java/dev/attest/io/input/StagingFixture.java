package dev.attest.io.input;

import dev.attest.io.duck.Duck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Real DuckDB, real files in a temp folder. */
abstract class StagingFixture {
    static final String EV_HEADER = "event_id,customer_id,meter,quantity,event_time,ingested_at,value,dimensions\n";
    static final String DEC_HEADER = "decision_id,event_id,customer_id,meter,outcome,amount,currency,price_policy_id,price_version,"
            + "discount_policy_id,discount_version,entitlement_policy_id,entitlement_version,decided_at,invoice_id\n";
    static final String ONE_DECISION = DEC_HEADER + "d1,e1,c1,api,charged,1.50,eur,p1,1,,,,,2026-01-01T00:00:01Z,inv1\n";

    @TempDir
    Path dir;
    Duck duck;

    @BeforeEach
    void open() {
        duck = openDuck();
    }

    /** The database staged into: in memory here; a subclass stages into a workspace file and Parquet instead. */
    Duck openDuck() {
        return Duck.inMemory();
    }

    /** Tiny test files are read in place here when their rows allow it (an audit copies files under 256 KiB on average). */
    InputStager stager() {
        return new InputStager(duck).inPlaceFromFileBytes(0);
    }

    @AfterEach
    void close() {
        duck.close();
    }

    Path write(String rel, String content) {
        try {
            Path p = dir.resolve(rel);
            Files.createDirectories(p.getParent());
            Files.writeString(p, content);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a Parquet file through DuckDB COPY. */
    Path parquet(String rel, String select) {
        Path p = dir.resolve(rel);
        try {
            Files.createDirectories(p.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        duck.execute("COPY (" + select + ") TO " + Duck.literal(p.toString()) + " (FORMAT parquet)");
        return p;
    }

    String decisionsCsv() {
        return write("dec/decisions.csv", ONE_DECISION).toString();
    }

    StagingReport stageEvents(String eventsPath) {
        return stage(InputSource.files(eventsPath), InputSource.files(decisionsCsv()), null);
    }

    StagingReport stage(InputSource events, InputSource decisions, String zone) {
        return stager().stage(events, decisions, zone);
    }

    List<Map<String, Object>> rows(String sql) {
        return duck.queryRows(sql);
    }

    /** Whether staging left {@code name} as a view or a table (null: neither). */
    String kind(String name) {
        return (String) rows("SELECT CASE WHEN EXISTS (SELECT 1 FROM duckdb_views() WHERE view_name = '" + name + "' AND NOT internal) "
                + "THEN 'view' WHEN EXISTS (SELECT 1 FROM duckdb_tables() WHERE table_name = '" + name + "') THEN 'table' END AS k").get(0).get("k");
    }

    List<Map<String, Object>> quarantine() {
        return rows("SELECT input, src_file, src_row, reason, raw FROM quarantine ORDER BY input, src_file, src_row");
    }
}
