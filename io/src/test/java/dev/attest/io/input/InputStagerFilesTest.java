package dev.attest.io.input;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.io.duck.Duck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every staging case of {@link InputStagerTest} again, staged the way an audit's workspace stages: a database file, the
 * rows in Parquet files beside it and {@code events} and {@code decisions} views over them. The cases assert the same
 * rows, columns, quarantine and duplicates, so both ways give the same staged data.
 */
class InputStagerFilesTest extends InputStagerTest {
    @TempDir
    Path work;

    @Override
    Duck openDuck() {
        return Duck.open(work.resolve("stage.duckdb"));
    }

    @Override
    InputStager stager() {
        return new InputStager(duck).toFiles(work.resolve("staged"));
    }

    @Test
    void theStagedRowsAreParquetFilesAndTheTablesViewsThatOutliveTheConnection() {
        write("ev/a.csv", EV_HEADER + "e1,c1,api,1,2026-01-01T10:00:00Z,,,\n" + "e2,c1,api,-1,2026-01-01T10:00:00Z,,,\n");
        Path d = write("dec/d.csv", DEC_HEADER
                + "d1,e1,c1,api,charged,1.50,EUR,p1,1,,,,,2026-01-01T00:00:01Z,inv1\n"
                + "d1,e1,c1,api,charged,1.50,EUR,p1,1,,,,,2026-01-01T00:00:01Z,inv1\n"
                + "d2,e1,c1,api,charged,2,EUR,p1,1,,,,,2026-01-01T00:00:01Z,inv1\n");
        stage(InputSource.files(dir.resolve("ev").toString()), InputSource.files(d.toString()), null);
        assertThat(work.resolve("staged/events.parquet")).isRegularFile();
        assertThat(work.resolve("staged/decisions.parquet")).isRegularFile();
        assertThat(kind("events")).isEqualTo("view");
        assertThat(kind("decisions")).isEqualTo("view");
        // The files keep the bad row (the view leaves it out) and the repeated delivery (a table of dropped rows does).
        assertThat(rows("SELECT count(*) AS n FROM read_parquet('" + work.resolve("staged/events.parquet") + "')").get(0).get("n")).isEqualTo(2L);
        assertThat(rows("SELECT src_row FROM decision_drops").get(0).get("src_row")).isEqualTo(2L);

        // The next step opens the workspace again (a restart, another process): the same rows.
        List<Map<String, Object>> events = rows("SELECT event_id, src_row FROM events ORDER BY event_id");
        List<Map<String, Object>> decisions = rows("SELECT decision_id, src_row FROM decisions ORDER BY src_row");
        duck.close();
        duck = Duck.open(work.resolve("stage.duckdb"));
        assertThat(rows("SELECT event_id, src_row FROM events ORDER BY event_id")).isEqualTo(events).hasSize(1);
        assertThat(rows("SELECT decision_id, src_row FROM decisions ORDER BY src_row")).isEqualTo(decisions)
                .extracting(m -> m.get("decision_id") + " " + m.get("src_row")).containsExactly("d1 1", "d2 3");
    }

    @Test
    void stagingAgainReplacesTheViewsWhateverAnEarlierAttemptLeft() throws IOException {
        write("ev/a.csv", EV_HEADER + "e1,c1,api,1,2026-01-01T10:00:00Z,,,\n");
        stageEvents(dir.resolve("ev").toString());
        // An earlier attempt without files left tables of the same names; staging replaces them either way.
        new InputStager(duck).stage(InputSource.files(dir.resolve("ev").toString()), InputSource.files(decisionsCsv()), null);
        assertThat(kind("events")).isEqualTo("table");
        try {
            Files.writeString(dir.resolve("ev/a.csv"), EV_HEADER + "e1,c1,api,1,2026-01-01T10:00:00Z,,,\ne2,c1,api,1,2026-01-01T10:00:00Z,,,\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stageEvents(dir.resolve("ev").toString());
        assertThat(kind("events")).isEqualTo("view");
        assertThat(rows("SELECT count(*) AS n FROM events").get(0).get("n")).isEqualTo(2L);
    }
}
