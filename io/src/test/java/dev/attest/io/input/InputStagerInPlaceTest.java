package dev.attest.io.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.io.duck.Duck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Parquet input whose valid rows are already in the form staging gives them is read in place: {@code events} and
 * {@code decisions} are views over its files, less the bad rows and the decisions' repeated deliveries, and nothing is
 * copied. Each case compares with the same input staged as a copy, row for row and column for column.
 */
class InputStagerInPlaceTest extends StagingFixture {
    private static final String EVENTS = "SELECT 'e1' AS event_id, 'c1' AS customer_id, 'api' AS meter, CAST(1.5 AS DECIMAL(38,9)) AS quantity, "
            + "TIMESTAMPTZ '2026-01-01 10:00:00+00' AS event_time, TIMESTAMPTZ '2026-01-01 10:00:01+00' AS ingested_at, "
            + "CAST(12.34 AS DECIMAL(38,9)) AS value, '{\"region\":\"eu\"}' AS dimensions "
            + "UNION ALL SELECT 'e2', 'c1', 'api', -1, TIMESTAMPTZ '2026-01-01 11:00:00+00', NULL, NULL, NULL "  // bad: negative
            + "UNION ALL SELECT 'e3', 'c2', 'sms', 2, TIMESTAMPTZ '2026-01-02 11:00:00+00', NULL, NULL, NULL "
            + "UNION ALL SELECT 'e3', 'c2', 'sms', 2, TIMESTAMPTZ '2026-01-02 11:00:00+00', NULL, NULL, NULL";  // repeated delivery
    private static final String DECISIONS = "SELECT 'd1' AS decision_id, 'e1' AS event_id, 'c1' AS customer_id, 'api' AS meter, "
            + "'charged' AS outcome, CAST(1.5 AS DECIMAL(38,9)) AS amount, 'EUR' AS currency, 'p1' AS price_policy_id, 1 AS price_version, "
            + "CAST(NULL AS VARCHAR) AS discount_policy_id, CAST(NULL AS INTEGER) AS discount_version, "
            + "CAST(NULL AS VARCHAR) AS entitlement_policy_id, CAST(NULL AS INTEGER) AS entitlement_version, "
            + "TIMESTAMPTZ '2026-01-01 10:00:02+00' AS decided_at, 'inv1' AS invoice_id "
            + "UNION ALL SELECT 'd1', 'e1', 'c1', 'api', 'charged', 1.5, 'EUR', 'p1', 1, NULL, NULL, NULL, NULL, "
            + "TIMESTAMPTZ '2026-01-01 10:00:02+00', 'inv1' "  // repeated delivery
            + "UNION ALL SELECT 'd2', 'e3', 'c2', 'sms', 'refunded', 0, 'EUR', NULL, NULL, NULL, NULL, NULL, NULL, "
            + "TIMESTAMPTZ '2026-01-02 11:00:01+00', NULL "  // bad: outcome
            + "UNION ALL SELECT 'd3', 'e3', 'c2', 'sms', 'denied', 0, 'EUR', NULL, NULL, NULL, NULL, NULL, NULL, "
            + "TIMESTAMPTZ '2026-01-02 11:00:01+00', NULL";

    /** What staging left, for comparing two ways of staging: every column of every relation a pass reads. */
    private List<List<Map<String, Object>>> staged(Duck d) {
        return List.of(
                d.queryRows("SELECT * FROM events ORDER BY src_file, src_row"),
                d.queryRows("SELECT * FROM events_unique ORDER BY src_file, src_row"),
                d.queryRows("SELECT * FROM decisions ORDER BY src_file, src_row"),
                d.queryRows("SELECT * FROM quarantine ORDER BY input, src_file, src_row"),
                d.queryRows("SELECT * FROM event_deliveries ORDER BY event_id"),
                d.queryRows("SELECT * FROM event_conflicts ORDER BY event_id"));
    }

    private List<List<Map<String, Object>>> stagedAsCopy(Path events, Path decisions) {
        try (Duck copy = Duck.inMemory()) {
            StagingReport r = new InputStager(copy).copyingInputs().stage(InputSource.files(events.toString()), InputSource.files(decisions.toString()), null);
            assertThat(r.events().validRows()).isPositive();
            return staged(copy);
        }
    }

    @Test
    void aParquetInputInStagingsFormIsReadInPlaceWithTheRowsACopyHolds() {
        Path ev = parquet("ev/a.parquet", EVENTS);
        Path de = parquet("dec/d.parquet", DECISIONS);
        StagingReport r = stage(InputSource.files(ev.toString()), InputSource.files(de.toString()), null);

        assertThat(kind("events")).isEqualTo("view");
        assertThat(kind("decisions")).isEqualTo("view");
        assertThat(rows("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name LIKE '__attest%'").get(0).get("n"))
                .as("no staged copy is left").isEqualTo(0L);
        assertThat(staged(duck)).isEqualTo(stagedAsCopy(ev, de));
        assertThat(rows("SELECT decision_id, src_row FROM decisions ORDER BY src_row")).extracting(m -> m.get("decision_id") + " " + m.get("src_row"))
                .containsExactly("d1 1", "d3 4");
        assertThat(quarantine()).extracting(q -> q.get("input") + " " + q.get("src_row")).containsExactly("decisions 3", "events 2");
        assertThat(r.events().rowsRead()).isEqualTo(4);
        assertThat(r.events().duplicateDeliveries()).isEqualTo(1);
        assertThat(r.decisions().duplicateDeliveries()).isEqualTo(1);
        assertThat(r.decisions().stagedRows()).isEqualTo(2);
    }

    @Test
    void aValidRowNotInStagingsFormMakesTheInputACopy() {
        // Padded text and a dimensions object with its keys out of order: staging trims and orders them, the file does not.
        Path ev = parquet("ev/a.parquet", "SELECT ' e1 ' AS event_id, 'c1' AS customer_id, 'api' AS meter, 1 AS quantity, "
                + "TIMESTAMPTZ '2026-01-01 10:00:00+00' AS event_time, '{\"z\":\"1\",\"a\":\"2\"}' AS dimensions");
        Path de = parquet("dec/d.parquet", DECISIONS);
        stage(InputSource.files(ev.toString()), InputSource.files(de.toString()), null);

        assertThat(kind("events")).isEqualTo("table");
        assertThat(kind("decisions")).isEqualTo("view");
        assertThat(rows("SELECT event_id, dimensions FROM events")).singleElement()
                .satisfies(e -> assertThat(e.get("event_id") + " " + e.get("dimensions")).isEqualTo("e1 {\"a\":\"2\",\"z\":\"1\"}"));
        assertThat(staged(duck)).isEqualTo(stagedAsCopy(ev, de));
    }

    @Test
    void aFileReadInPlaceThatChangesAfterStagingFailsTheStepsThatWouldReadIt() throws Exception {
        Path ev = parquet("ev/a.parquet", EVENTS);
        Path de = parquet("dec/d.parquet", DECISIONS);
        stage(InputSource.files(ev.toString()), InputSource.files(de.toString()), null);
        InputStager.checkUnchanged(duck); // as staged: nothing to say

        // Another writer replaces the decisions file: same name, other rows.
        parquet("dec/d.parquet", DECISIONS + " UNION ALL SELECT 'd9', 'e1', 'c1', 'api', 'charged', 1.5, 'EUR', 'p1', 1, NULL, NULL, NULL, NULL, "
                + "TIMESTAMPTZ '2026-01-01 10:00:02+00', 'inv1'");
        Files.setLastModifiedTime(de, FileTime.fromMillis(Files.getLastModifiedTime(de).toMillis() + 2_000));
        assertThatThrownBy(() -> InputStager.checkUnchanged(duck)).isInstanceOfSatisfying(InputException.class, e -> {
            assertThat(e.code()).isEqualTo(InputException.Code.CHANGED);
            assertThat(e.getMessage()).startsWith("decisions input: file " + de.toAbsolutePath() + " changed after staging read it");
        });
    }

    @Test
    void aRelativeNameThatLeadsElsewhereNowFailsTheStepsThatWouldReadIt() {
        Path ev = parquet("ev/a.parquet", EVENTS);
        Path de = parquet("dec/d.parquet", DECISIONS);
        stage(InputSource.files(ev.toString()), InputSource.files(de.toString()), null);
        // As if the command had named the file relatively and its restart ran in another folder: the view's name for the
        // file no longer leads to the file staging read.
        duck.execute("UPDATE " + InputStager.READ_IN_PLACE + " SET name = 'ev/a.parquet' WHERE input = 'events'");
        assertThatThrownBy(() -> InputStager.checkUnchanged(duck)).isInstanceOfSatisfying(InputException.class, e -> {
            assertThat(e.code()).isEqualTo(InputException.Code.CHANGED);
            assertThat(e.getMessage()).startsWith("events input: file ev/a.parquet was read in place from " + ev.toAbsolutePath()
                    + ", and from this working folder it names " + Path.of("ev/a.parquet").toAbsolutePath());
        });
    }

    @Test
    void smallFilesAreCopiedHoweverPlainTheirRows() throws Exception {
        // Every later scan opens every file again: under 256 KiB a file on average (the default), a copy is cheaper.
        Path ev = parquet("ev/a.parquet", EVENTS);
        Path de = parquet("dec/d.parquet", DECISIONS);
        new InputStager(duck).stage(InputSource.files(ev.toString()), InputSource.files(de.toString()), null);
        assertThat(kind("events")).isEqualTo("table");
        assertThat(kind("decisions")).isEqualTo("table");
        new InputStager(duck).inPlaceFromFileBytes(Files.size(de)).stage(InputSource.files(ev.toString()), InputSource.files(de.toString()), null);
        assertThat(kind("decisions")).isEqualTo("view");
    }

    @Test
    void copyingInputsStagesAPlainParquetInputAsTables() {
        Path ev = parquet("ev/a.parquet", EVENTS);
        Path de = parquet("dec/d.parquet", DECISIONS);
        new InputStager(duck).copyingInputs().stage(InputSource.files(ev.toString()), InputSource.files(de.toString()), null);
        assertThat(kind("events")).isEqualTo("table");
        assertThat(kind("decisions")).isEqualTo("table");
        InputStager.checkUnchanged(duck); // nothing read in place: nothing to check
    }
}
