package dev.attest.io.input;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.io.duck.Duck;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark-ish: stages generated events from Parquet and prints the time (no assertion on time).
 * Rows default to 1M; -Dattest.bench.rows=10000000 for the 10M check; -Dattest.bench.format=csv|jsonl for text.
 */
class StagingBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void stagesGeneratedEvents() {
        long n = Long.getLong("attest.bench.rows", 1_000_000L);
        String format = System.getProperty("attest.bench.format", "parquet");
        Path events = dir.resolve("events." + format);
        Path decisions = dir.resolve("decisions.parquet");
        String copyOpts = switch (format) {
            case "csv" -> "(FORMAT csv, HEADER)";
            case "jsonl" -> "(FORMAT json)";
            default -> "(FORMAT parquet)";
        };
        long g0 = System.nanoTime();
        try (Duck gen = Duck.inMemory()) {
            // 1% of the ids are delivered twice (identically).
            gen.execute("COPY (SELECT 'e' || (i % " + (n - n / 100) + ") AS event_id, 'c' || ((i % " + (n - n / 100) + ") % 1000) AS customer_id, "
                    + "'api_calls' AS meter, CAST(((i % " + (n - n / 100) + ") % 100) / 4 AS DECIMAL(18,3)) AS quantity, "
                    + "TIMESTAMPTZ '2026-01-01 00:00:00+00' + INTERVAL ((i % " + (n - n / 100) + ")) SECOND AS event_time, "
                    + "TIMESTAMPTZ '2026-01-01 00:00:00+00' + INTERVAL ((i % " + (n - n / 100) + ") + 1) SECOND AS ingested_at, "
                    + "CAST(NULL AS DECIMAL(18,2)) AS value, "
                    + "CASE WHEN i % 3 = 0 THEN MAP {'region': 'eu', 'tier': 'gold'} END AS dimensions "
                    + "FROM range(" + n + ") t(i)) TO " + Duck.literal(events.toString()) + " " + copyOpts);
            gen.execute("COPY (SELECT 'd' || i AS decision_id, 'e' || i AS event_id, 'c' || (i % 1000) AS customer_id, 'api_calls' AS meter, "
                    + "'charged' AS outcome, CAST(0.25 AS DECIMAL(18,2)) AS amount, 'EUR' AS currency, 'p1' AS price_policy_id, 1 AS price_version, "
                    + "TIMESTAMPTZ '2026-01-01 00:00:00+00' + INTERVAL (i + 2) SECOND AS decided_at FROM range(" + n + ") t(i)) TO "
                    + Duck.literal(decisions.toString()) + " (FORMAT parquet)");
        }
        long g1 = System.nanoTime();
        try (Duck duck = Duck.inMemory()) {
            long t0 = System.nanoTime();
            StagingReport r = new InputStager(duck).stage(InputSource.files(events.toString()), null, null);
            long t1 = System.nanoTime();
            StagingReport r2 = new InputStager(duck).stage(InputSource.files(events.toString()), InputSource.files(decisions.toString()), null);
            long t2 = System.nanoTime();
            System.out.printf("BENCH %s rows=%d generate=%d ms, stage events=%d ms, stage events+decisions=%d ms, cores=%d%n",
                    format, n, (g1 - g0) / 1_000_000, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, Runtime.getRuntime().availableProcessors());
            assertThat(r.events().rowsRead()).isEqualTo(n);
            assertThat(r.events().duplicateDeliveries()).isEqualTo(n / 100);
            assertThat(r.events().quarantinedRows()).isZero();
            assertThat(r2.decisions().stagedRows()).isEqualTo(n);
        }
    }
}
