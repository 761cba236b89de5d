package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.generator.Generator;
import dev.attest.engine.audit.LineageGaps;
import dev.attest.engine.audit.RatePass;
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
