package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.generator.Generator;
import dev.attest.engine.audit.LineageGaps;
import dev.attest.engine.audit.RatePass;
import dev.attest.io.duck.Duck;
import dev.attest.reports.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The rate step splits its scope into customer_id ranges rated on concurrent threads, and lineage its join into passes
 * by a hash of event_id. However many slices and passes, the audit writes byte-identical outputs (the digests of the
 * manifest), still finds the generator's truth, and writes expected.parquet in (customer_id, meter, event_time,
 * event_id) order without sorting it.
 */
class RateParallelismIT {

    @Test
    void oneTwoAndThreeSlicesAndManySmallRangesAndLineagePassesWriteByteIdenticalOutputs(@TempDir Path tmp) throws Exception {
        new Generator().generate(tmp.resolve("data"), 20_000, 7);
        GeneratedData data = GeneratedData.read(tmp.resolve("data"));
        List<JsonNode> outputs = new ArrayList<>();
        // 4: two threads rating ranges of at most 3,000 events, a few at a time (more ranges than threads), and lineage in
        // passes of about 3,000 rows.
        for (int slices : new int[] {1, 2, 3, 4}) {
            String previous = System.getProperty(RatePass.PARALLELISM_PROPERTY);
            System.setProperty(RatePass.PARALLELISM_PROPERTY, Integer.toString(slices == 4 ? 2 : slices));
            if (slices == 4) System.setProperty(RatePass.RANGE_EVENTS_PROPERTY, "3000");
            if (slices == 4) System.setProperty(LineageGaps.PASS_ROWS_PROPERTY, "3000");
            try {
                List<String> args = data.auditArguments(tmp.resolve("out-" + slices), Metadata.h2(tmp.resolve("meta-" + slices)));
                ScenarioIT.Run run = ScenarioIT.Run.of(args.toArray(String[]::new));
                assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
                Path folder = Path.of(run.lastStdoutLine());
                assertThat(ScenarioIT.findings(folder)).as("%d slice(s)", slices).containsExactlyElementsOf(data.expectedFindings());
                outputs.add(Json.MAPPER.readTree(Files.readString(folder.resolve("manifest.json"))).get("outputs"));
                assertThat(rowsOutOfOrder(folder.resolve("expected.parquet"))).as("%d slice(s)", slices).isZero();
            } finally {
                System.clearProperty(RatePass.RANGE_EVENTS_PROPERTY);
                System.clearProperty(LineageGaps.PASS_ROWS_PROPERTY);
                if (previous == null) System.clearProperty(RatePass.PARALLELISM_PROPERTY);
                else System.setProperty(RatePass.PARALLELISM_PROPERTY, previous);
            }
        }
        assertThat(outputs.get(0).toString()).contains("findings.parquet", "expected.parquet");
        assertThat(outputs.get(1)).as("2 slices").isEqualTo(outputs.get(0));
        assertThat(outputs.get(2)).as("3 slices").isEqualTo(outputs.get(0));
        assertThat(outputs.get(3)).as("ranges of 3,000 events on 2 threads, lineage in passes").isEqualTo(outputs.get(0));
    }

    /**
     * Decisions keyed to another customer than their event's (a mis-keyed decision) are split from the rest once and
     * rated in their event's range, not their own customer's: with many small ranges the audit writes the same bytes as
     * with one, and those decisions are counted beside their events. The generator keys every decision to its event's
     * customer, so some are re-keyed here, to customers sorting before and after every range.
     */
    @Test
    void decisionsKeyedToAnotherCustomerAreRatedWithTheirEventInAnyRange(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        new Generator().generate(dir, 20_000, 11);
        long rekeyed = rekeyDecisions(dir.resolve("decisions"));
        assertThat(rekeyed).as("re-keyed decisions").isGreaterThan(50);
        GeneratedData data = GeneratedData.read(dir);
        List<JsonNode> outputs = new ArrayList<>();
        for (int slices : new int[] {1, 4}) {
            System.setProperty(RatePass.PARALLELISM_PROPERTY, Integer.toString(Math.min(slices, 2)));
            if (slices == 4) System.setProperty(RatePass.RANGE_EVENTS_PROPERTY, "3000");
            if (slices == 4) System.setProperty(LineageGaps.PASS_ROWS_PROPERTY, "3000"); // the split's join in passes too
            try {
                List<String> args = data.auditArguments(tmp.resolve("out-" + slices), Metadata.h2(tmp.resolve("meta-" + slices)));
                ScenarioIT.Run run = ScenarioIT.Run.of(args.toArray(String[]::new));
                assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
                Path folder = Path.of(run.lastStdoutLine());
                outputs.add(Json.MAPPER.readTree(Files.readString(folder.resolve("manifest.json"))).get("outputs"));
                long[] rated = eventsOfRekeyedDecisions(folder.resolve("expected.parquet"), dir.resolve("decisions"));
                assertThat(rated[0]).as("events of re-keyed decisions rated, %d slice(s)", slices).isGreaterThan(50);
                assertThat(rated[1]).as("of them, rated without their decisions, %d slice(s)", slices).isZero();
            } finally {
                System.clearProperty(RatePass.RANGE_EVENTS_PROPERTY);
                System.clearProperty(LineageGaps.PASS_ROWS_PROPERTY);
                System.clearProperty(RatePass.PARALLELISM_PROPERTY);
            }
        }
        assertThat(outputs.get(1)).as("ranges of 3,000 events on 2 threads, joins in passes").isEqualTo(outputs.get(0));
    }

    private static final String BEFORE_ALL = "aaa-rekeyed";
    private static final String AFTER_ALL = "zzz-rekeyed";

    /** Re-keys about one decision in a hundred to a customer sorting before or after every other; returns how many. */
    private static long rekeyDecisions(Path decisions) throws Exception {
        long n = 0;
        List<Path> files;
        try (var walk = Files.walk(decisions)) {
            files = walk.filter(f -> f.toString().endsWith(".parquet")).sorted().toList();
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var st = c.createStatement()) {
            for (Path f : files) {
                Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
                String pick = "hash(decision_id) % 100 = 0";
                st.execute("COPY (SELECT * REPLACE (CASE WHEN " + pick + " THEN (CASE WHEN hash(decision_id) % 200 = 0 THEN "
                        + Duck.literal(BEFORE_ALL) + " ELSE " + Duck.literal(AFTER_ALL)
                        + " END) ELSE customer_id END AS customer_id) FROM read_parquet(" + Duck.literal(f.toString())
                        + ")) TO " + Duck.literal(tmp.toString()) + " (FORMAT parquet)");
                Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            try (var rs = st.executeQuery("SELECT count(*) FROM read_parquet(" + decisionFiles(decisions) + ") WHERE customer_id IN ("
                    + Duck.literal(BEFORE_ALL) + ", " + Duck.literal(AFTER_ALL) + ")")) {
                rs.next();
                n = rs.getLong(1);
            }
        }
        return n;
    }

    private static String decisionFiles(Path decisions) {
        return Duck.literal(decisions + "/**/*.parquet");
    }

    /** Expected rows of the events that a re-keyed decision names: {all, those rated without any decision}. */
    private static long[] eventsOfRekeyedDecisions(Path expected, Path decisions) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*), count(*) FILTER (WHERE x.decisions = 0) FROM read_parquet("
                     + Duck.literal(expected.toString()) + ") x WHERE x.event_id IN (SELECT event_id FROM read_parquet("
                     + decisionFiles(decisions) + ") WHERE customer_id IN (" + Duck.literal(BEFORE_ALL) + ", " + Duck.literal(AFTER_ALL) + "))")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /** Rows of the file (in file order) that sort before the row above them by (customer_id, meter, event_time, event_id). */
    private static long rowsOutOfOrder(Path parquet) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FILTER (WHERE pc IS NOT NULL AND (c < pc OR (c = pc AND (m < pm OR (m = pm AND "
                     + "(t < pt OR (t = pt AND e <= pe))))))), count(*) FROM (SELECT customer_id AS c, meter AS m, event_time AS t, event_id AS e, "
                     + "lag(customer_id) OVER w AS pc, lag(meter) OVER w AS pm, lag(event_time) OVER w AS pt, lag(event_id) OVER w AS pe "
                     + "FROM read_parquet('" + parquet.toString().replace("'", "''") + "', file_row_number=true) "
                     + "WINDOW w AS (ORDER BY file_row_number))")) {
            rs.next();
            assertThat(rs.getLong(2)).as("expected rows").isGreaterThan(1000);
            return rs.getLong(1);
        }
    }
}
