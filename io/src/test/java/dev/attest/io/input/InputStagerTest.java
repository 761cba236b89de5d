package dev.attest.io.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputStagerTest extends StagingFixture {

    private static final String E1 = "e1,c1,api,1.5,2026-01-01T10:00:00Z,2026-01-01T10:00:01+01:00,12.34,\"{\"\"region\"\":\"\"eu\"\"}\"\n";

    private Map<String, Object> event(String id) {
        List<Map<String, Object>> r = rows("SELECT * FROM events WHERE event_id = '" + id + "'");
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    private static OffsetDateTime utc(String iso) {
        return OffsetDateTime.parse(iso).withOffsetSameInstant(ZoneOffset.UTC);
    }

    private void assertE1(Map<String, Object> e) {
        assertThat(e.get("customer_id")).isEqualTo("c1");
        assertThat(e.get("meter")).isEqualTo("api");
        assertThat((BigDecimal) e.get("quantity")).isEqualByComparingTo("1.5");
        assertThat(((OffsetDateTime) e.get("event_time")).toInstant()).isEqualTo(utc("2026-01-01T10:00:00Z").toInstant());
        assertThat(((OffsetDateTime) e.get("ingested_at")).toInstant()).isEqualTo(utc("2026-01-01T09:00:01Z").toInstant());
        assertThat((BigDecimal) e.get("value")).isEqualByComparingTo("12.34");
        assertThat(e.get("dimensions")).isEqualTo("{\"region\":\"eu\"}");
    }

    @Test
    void csvFile() {
        Path f = write("ev/a.csv", EV_HEADER + E1 + "e2,c1,api,2,2026-01-01T11:00:00Z,,,\n");
        StagingReport r = stageEvents(f.toString());
        assertE1(event("e1"));
        assertThat(event("e1").get("src_file")).isEqualTo(f.toString());
        assertThat(event("e1").get("src_row")).isEqualTo(1L);
        assertThat(event("e2").get("src_row")).isEqualTo(2L);
        assertThat(event("e2").get("ingested_at")).isNull();
        assertThat(event("e2").get("dimensions")).isNull();
        assertThat(r.events().source()).isEqualTo("files");
        assertThat(r.events().rowsRead()).isEqualTo(2);
        assertThat(r.events().validRows()).isEqualTo(2);
        assertThat(r.events().files()).singleElement().satisfies(fr -> {
            assertThat(fr.path()).isEqualTo(f.toString());
            assertThat(fr.rows()).isEqualTo(2);
            assertThat(fr.sizeBytes()).isEqualTo(f.toFile().length());
            assertThat(fr.sha256()).hasSize(64);
        });
        assertThat(r.decisions().stagedRows()).isEqualTo(1);
    }

    @Test
    void parquetFileWithItsOwnTypes() {
        Path f = parquet("ev/a.parquet", "SELECT 'e1' AS event_id, 'c1' AS customer_id, 'api' AS meter, CAST(1.5 AS DECIMAL(10,2)) AS quantity, "
                + "TIMESTAMPTZ '2026-01-01 10:00:00+00' AS event_time, TIMESTAMPTZ '2026-01-01 09:00:01+00' AS ingested_at, "
                + "CAST(12.34 AS DECIMAL(18,4)) AS value, MAP {'region': 'eu'} AS dimensions, 'ignored' AS extra "
                + "UNION ALL SELECT 'e2', 'c1', 'api', 3, TIMESTAMPTZ '2026-01-01 11:00:00+00', NULL, NULL, MAP {'b': '2', 'a': '1'}, 'x'");
        StagingReport r = stageEvents(f.toString());
        assertE1(event("e1"));
        assertThat(event("e1").get("src_row")).isEqualTo(1L);
        assertThat(event("e2").get("src_row")).isEqualTo(2L);
        assertThat(event("e2").get("dimensions")).isEqualTo("{\"a\":\"1\",\"b\":\"2\"}");
        assertThat(r.events().doubleConversions()).isEmpty();
    }

    @Test
    void parquetStructDimensionsAndIntegerQuantity() {
        Path f = parquet("ev/a.parquet", "SELECT 'e1' AS event_id, 'c1' AS customer_id, 'api' AS meter, 7::BIGINT AS quantity, "
                + "TIMESTAMPTZ '2026-01-01 10:00:00+00' AS event_time, {'z': 1, 'a': 'x'} AS dimensions");
        stageEvents(f.toString());
        assertThat((BigDecimal) event("e1").get("quantity")).isEqualByComparingTo("7");
        assertThat(event("e1").get("dimensions")).isEqualTo("{\"a\":\"x\",\"z\":\"1\"}");
    }

    @Test
    void jsonLinesWithExactNumbersAndLineNumbers() {
        Path f = write("ev/a.jsonl",
                "{\"event_id\":\"e1\",\"customer_id\":\"c1\",\"meter\":\"api\",\"quantity\":1.5,\"event_time\":\"2026-01-01T10:00:00Z\","
                        + "\"ingested_at\":\"2026-01-01T10:00:01+01:00\",\"value\":\"12.34\",\"dimensions\":{\"region\":\"eu\"},\"extra\":[1,2]}\n"
                        + "\n"
                        + "{\"event_id\":\"e2\",\"customer_id\":\"c1\",\"meter\":\"api\",\"quantity\":12345678901234567.123456789,"
                        + "\"event_time\":\"2026-01-01T10:00:00Z\",\"dimensions\":\"{\\\"b\\\": \\\"2\\\", \\\"a\\\": 1}\"}\n"
                        + "{not json\n"
                        + "{\"event_id\":\"e3\",\"customer_id\":\"c1\",\"meter\":\"api\",\"quantity\":1.0000000000000000001,\"event_time\":\"2026-01-01T10:00:00Z\"}\n");
        StagingReport r = stageEvents(f.toString());
        assertE1(event("e1"));
        assertThat(event("e2").get("quantity")).isEqualTo(new BigDecimal("12345678901234567.123456789"));
        assertThat(event("e2").get("src_row")).isEqualTo(3L);
        assertThat(event("e2").get("dimensions")).isEqualTo("{\"a\":\"1\",\"b\":\"2\"}");
        assertThat(quarantine()).extracting(q -> q.get("src_row") + " " + q.get("reason")).containsExactly(
                "4 line is not a JSON object",
                "5 quantity: more than 9 decimal places '1.0000000000000000001'");
        assertThat(quarantine().get(0).get("raw")).isEqualTo("{not json");
        assertThat(r.events().rowsRead()).isEqualTo(4);
    }

    @Test
    void directoryWithMixedFormatsAndHiveFolders() {
        write("ev/customer_id=c7/day=2026-01-01/a.csv", "event_id,meter,quantity,event_time\ne1,api,1,2026-01-01T00:00:00Z\n");
        parquet("ev/meter=hive/b.parquet", "SELECT 'e2' AS event_id, 'c1' AS customer_id, 'file_wins' AS meter, 2 AS quantity, "
                + "TIMESTAMPTZ '2026-01-01 00:00:00+00' AS event_time");
        write("ev/sub/c.ndjson", "{\"event_id\":\"e3\",\"customer_id\":\"c1\",\"meter\":\"api\",\"quantity\":3,\"event_time\":\"2026-01-01T00:00:00Z\"}\n");
        write("ev/_SUCCESS", "");
        write("ev/.hidden.csv", "garbage");
        write("ev/notes.txt", "ignored");
        StagingReport r = stageEvents(dir.resolve("ev").toString());
        assertThat(event("e1").get("customer_id")).isEqualTo("c7");
        assertThat(event("e2").get("meter")).isEqualTo("file_wins");
        assertThat((BigDecimal) event("e3").get("quantity")).isEqualByComparingTo("3");
        assertThat(r.events().files()).extracting(StagingReport.FileRead::path).containsExactly(
                dir.resolve("ev/customer_id=c7/day=2026-01-01/a.csv").toString(),
                dir.resolve("ev/meter=hive/b.parquet").toString(),
                dir.resolve("ev/sub/c.ndjson").toString());
        assertThat(r.events().files()).extracting(StagingReport.FileRead::rows).containsExactly(1L, 1L, 1L);
    }

    @Test
    void globPattern() {
        write("ev/2026/01/a.csv", EV_HEADER + E1);
        write("ev/2026/02/b.csv", EV_HEADER + "e2,c1,api,2,2026-02-01T00:00:00Z,,,\n");
        write("ev/2026/02/c.jsonl", "{\"event_id\":\"e3\"}\n");
        StagingReport r = stageEvents(dir.resolve("ev").toString() + "/**/*.csv");
        assertThat(rows("SELECT event_id FROM events ORDER BY 1")).extracting(m -> m.get("event_id")).containsExactly("e1", "e2");
        assertThat(r.events().files()).hasSize(2);
        StagingReport r2 = stageEvents(dir.resolve("ev/2026").toString() + "/0?/*.csv");
        assertThat(r2.events().files()).hasSize(2);
        assertThatThrownBy(() -> stageEvents(dir.resolve("ev").toString() + "/*.parquet"))
                .isInstanceOfSatisfying(InputException.class, e -> assertThat(e.code()).isEqualTo(InputException.Code.NO_FILES));
    }

    @Test
    void sqlSource() {
        StagingReport r = stage(InputSource.sql("SELECT * FROM (VALUES ('e1', 'c1', 'api', '1.5', '2026-01-01T10:00:00Z'), "
                        + "('e2', 'c1', 'api', '-2', '2026-01-01T10:00:00Z')) t(event_id, customer_id, meter, quantity, event_time);"),
                InputSource.sql("SELECT 'd1' AS decision_id, 'e1' AS event_id, 'c1' AS customer_id, 'api' AS meter, 'CHARGED' AS outcome, "
                        + "CAST(-0.5 AS DECIMAL(10,2)) AS amount, 'eur' AS currency, TIMESTAMPTZ '2026-01-01 10:00:01+00' AS decided_at"),
                null);
        assertThat(event("e1").get("src_file")).isEqualTo("sql");
        assertThat(event("e1").get("src_row")).isEqualTo(1L);
        assertThat(quarantine()).singleElement().satisfies(q -> {
            assertThat(q.get("src_file")).isEqualTo("sql");
            assertThat(q.get("src_row")).isEqualTo(2L);
            assertThat(q.get("reason")).isEqualTo("quantity: negative '-2'");
        });
        assertThat(r.events().source()).isEqualTo("sql");
        assertThat(r.events().files()).isEmpty();
        Map<String, Object> d = rows("SELECT * FROM decisions").get(0);
        assertThat(d.get("outcome")).isEqualTo("charged");
        assertThat(d.get("currency")).isEqualTo("EUR");
        assertThat((BigDecimal) d.get("amount")).isEqualByComparingTo("-0.5");
    }

    @Test
    void badSql() {
        assertThatThrownBy(() -> stage(InputSource.sql("SELECT * FROM no_such_table"), null, null))
                .isInstanceOfSatisfying(InputException.class, e -> {
                    assertThat(e.code()).isEqualTo(InputException.Code.BAD_SQL);
                    assertThat(e.getMessage()).contains("events input").contains("no_such_table");
                });
    }

    @Test
    void everyEventQuarantineReasonWithFileAndRow() {
        Path f = write("ev/bad.csv", EV_HEADER
                + E1                                                            // 1 ok
                + ",c1,api,1,2026-01-01T00:00:00Z,,,\n"                          // 2 missing event_id
                + "e3,c1,api,-1,2026-01-01T00:00:00Z,,,\n"                       // 3 negative
                + "e4,c1,api,abc,2026-01-01T00:00:00Z,,,\n"                      // 4 not a number
                + "e5,c1,api,1,yesterday,,,\n"                                  // 5 unparsable time
                + "e6,c1,api,1,2026-01-01T00:00:00,,,\n"                         // 6 no offset
                + "e7,c1,api,0.1234567891,2026-01-01T00:00:00Z,,,\n"             // 7 > 9 dp
                + "e8,c1,api,1,2026-01-01T00:00:00Z,,,[1]\n"                     // 8 dims not an object
                + "e9, ,,,2026-13-01T00:00:00Z,2026-01-01,1e400,\n"              // 9 several reasons
                + "e10,c1,api,1.5000000000000,2026-01-01T00:00:00Z,,1e-9,\n");   // 10 ok: trailing zeros, exponent
        stageEvents(f.toString());
        assertThat(quarantine()).allSatisfy(q -> {
            assertThat(q.get("input")).isEqualTo("events");
            assertThat(q.get("src_file")).isEqualTo(f.toString());
        });
        assertThat(quarantine()).extracting(q -> q.get("src_row") + " " + q.get("reason")).containsExactly(
                "2 event_id: missing",
                "3 quantity: negative '-1'",
                "4 quantity: not a decimal number 'abc'",
                "5 event_time: not an ISO-8601 instant 'yesterday'",
                "6 event_time: no UTC offset in '2026-01-01T00:00:00'",
                "7 quantity: more than 9 decimal places '0.1234567891'",
                "8 dimensions: not a JSON object of string values '[1]'",
                "9 customer_id: missing; meter: missing; quantity: missing; event_time: not a valid instant '2026-13-01T00:00:00Z'; "
                        + "ingested_at: no UTC offset in '2026-01-01'; value: out of range '1e400'");
        assertThat(quarantine().get(0).get("raw")).isEqualTo(
                "{\"event_id\":null,\"customer_id\":\"c1\",\"meter\":\"api\",\"quantity\":\"1\",\"event_time\":\"2026-01-01T00:00:00Z\","
                        + "\"ingested_at\":null,\"value\":null,\"dimensions\":null}");
        assertThat((BigDecimal) event("e10").get("quantity")).isEqualByComparingTo("1.5");
        assertThat(event("e10").get("value")).isEqualTo(new BigDecimal("0.000000001"));
        assertThat(rows("SELECT count(*) AS n FROM events").get(0).get("n")).isEqualTo(2L);
    }

    @Test
    void everyDecisionQuarantineReason() {
        Path d = write("dec/d.csv", DEC_HEADER
                + "d1,e1,c1,api,charged,1.50,eur,p1,1,,,,,2026-01-01T00:00:01Z,inv1\n"
                + "d2,e1,c1,api,maybe,1,EUR,p1,1,,,,,2026-01-01T00:00:01Z,\n"
                + "d3,e1,c1,api,denied,0,EURO,p1,1.5,,,,,2026-01-01T00:00:01Z,\n"
                + "d4,e1,c1,api,denied,0,EUR,p1,2.0,,x,,,2026-01-01T00:00:01Z,\n"
                + ",,,,,,,,,,,,,,\n");
        write("ev/a.csv", EV_HEADER + E1);
        stage(InputSource.files(dir.resolve("ev").toString()), InputSource.files(d.toString()), null);
        assertThat(quarantine()).extracting(q -> q.get("input") + " " + q.get("src_row") + " " + q.get("reason")).containsExactly(
                "decisions 2 outcome: must be charged or denied, got 'maybe'",
                "decisions 3 currency: not an ISO 4217 currency code 'EURO'; price_version: not an integer '1.5'",
                "decisions 4 discount_version: not an integer 'x'",
                "decisions 5 decision_id: missing; customer_id: missing; meter: missing; outcome: missing; amount: missing; "
                        + "currency: missing; decided_at: missing");
        assertThat(rows("SELECT decision_id FROM decisions")).extracting(m -> m.get("decision_id")).containsExactly("d1");
    }

    @Test
    void missingColumnIsAnErrorBeforeAnyData() {
        write("ev/a.csv", EV_HEADER + E1);
        Path d = write("dec/d.csv", "decision_id,customer_id,meter,outcome,currency,decided_at\nd1,c1,api,charged,EUR,2026-01-01T00:00:00Z\n");
        assertThatThrownBy(() -> stage(InputSource.files(dir.resolve("ev").toString()), InputSource.files(d.toString()), null))
                .isInstanceOfSatisfying(InputException.class, e -> {
                    assertThat(e.code()).isEqualTo(InputException.Code.MISSING_COLUMN);
                    assertThat(e.getMessage()).contains("decisions input").contains(d.toString()).contains("'amount'");
                });
        assertThat(rows("SELECT count(*) AS n FROM information_schema.tables WHERE table_name IN ('events', 'quarantine')").get(0).get("n"))
                .isEqualTo(0L);
        Path p = parquet("ev2/a.parquet", "SELECT 'e1' AS event_id, 'c1' AS customer_id, 'api' AS meter");
        assertThatThrownBy(() -> stageEvents(p.toString())).isInstanceOfSatisfying(InputException.class, e -> {
            assertThat(e.code()).isEqualTo(InputException.Code.MISSING_COLUMN);
            assertThat(e.getMessage()).contains("events input").contains(p.toString()).contains("'quantity', 'event_time'");
        });
        Path j = write("ev3/a.jsonl", "{\"event_id\":\"e1\",\"customer_id\":\"c1\",\"quantity\":1,\"event_time\":\"2026-01-01T00:00:00Z\"}\n");
        assertThatThrownBy(() -> stageEvents(j.toString())).isInstanceOfSatisfying(InputException.class, e -> {
            assertThat(e.code()).isEqualTo(InputException.Code.MISSING_COLUMN);
            assertThat(e.getMessage()).contains(j.toString()).contains("'meter'");
        });
    }

    @Test
    void unreadableFileAndNoFiles() {
        Path p = write("ev/broken.parquet", "this is not parquet at all");
        assertThatThrownBy(() -> stageEvents(p.toString())).isInstanceOfSatisfying(InputException.class, e -> {
            assertThat(e.code()).isEqualTo(InputException.Code.UNREADABLE);
            assertThat(e.getMessage()).contains(p.toString());
        });
        // One ragged row no longer rejects the file (issue 13): it is quarantined with its data row number.
        Path c = write("ev2/ragged.csv", EV_HEADER + E1 + "e2,c1,api,1,2026-01-01T00:00:00Z,,,,,,,,too,many\n" + E1.replace("e1", "e3"));
        stageEvents(c.toString());
        assertThat(quarantine()).extracting(q -> q.get("src_row") + " " + q.get("reason"))
                .containsExactly("2 not readable as CSV: more fields than the header");
        write("empty/readme.txt", "nothing");
        assertThatThrownBy(() -> stageEvents(dir.resolve("empty").toString())).isInstanceOfSatisfying(InputException.class,
                e -> assertThat(e.code()).isEqualTo(InputException.Code.NO_FILES));
        assertThatThrownBy(() -> stageEvents(dir.resolve("nowhere").toString())).isInstanceOfSatisfying(InputException.class,
                e -> assertThat(e.code()).isEqualTo(InputException.Code.NO_FILES));
    }

    @Test
    void assumeZoneInterpretsTimestampsWithoutOffset() {
        Path f = write("ev/a.csv", EV_HEADER + "e1,c1,api,1,2026-03-01 10:00:00,2026-07-01T10:00,,\ne2,c1,api,1,2026-03-01T10:00:00+01:00,,,\n");
        Path p = parquet("ev/b.parquet", "SELECT 'e3' AS event_id, 'c1' AS customer_id, 'api' AS meter, 1 AS quantity, "
                + "TIMESTAMP '2026-03-01 10:00:00' AS event_time");
        stage(InputSource.files(dir.resolve("ev").toString()), null, "America/New_York");
        assertThat(((OffsetDateTime) event("e1").get("event_time")).toInstant()).isEqualTo(utc("2026-03-01T15:00:00Z").toInstant());
        assertThat(((OffsetDateTime) event("e1").get("ingested_at")).toInstant()).isEqualTo(utc("2026-07-01T14:00:00Z").toInstant());
        assertThat(((OffsetDateTime) event("e2").get("event_time")).toInstant()).isEqualTo(utc("2026-03-01T09:00:00Z").toInstant());
        assertThat(((OffsetDateTime) event("e3").get("event_time")).toInstant()).isEqualTo(utc("2026-03-01T15:00:00Z").toInstant());

        stage(InputSource.files(p.toString()), null, "+02:00");
        assertThat(((OffsetDateTime) event("e3").get("event_time")).toInstant()).isEqualTo(utc("2026-03-01T08:00:00Z").toInstant());

        stage(InputSource.files(p.toString()), null, null);
        assertThat(quarantine()).singleElement().satisfies(q -> {
            assertThat(q.get("src_file")).isEqualTo(p.toString());
            assertThat(q.get("src_row")).isEqualTo(1L);
            assertThat((String) q.get("reason")).startsWith("event_time: no UTC offset (TIMESTAMP is not adjusted to UTC)");
        });
        assertThatThrownBy(() -> stage(InputSource.files(p.toString()), null, "Mars/Olympus"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void doubleColumnsAreConvertedThroughShortestTextAndReported() {
        Path p = parquet("ev/a.parquet", "SELECT 'e1' AS event_id, 'c1' AS customer_id, 'api' AS meter, 0.1::DOUBLE AS quantity, "
                + "TIMESTAMPTZ '2026-01-01 00:00:00+00' AS event_time, 19.99::FLOAT AS value");
        Path d = parquet("dec/d.parquet", "SELECT 'd1' AS decision_id, 'c1' AS customer_id, 'api' AS meter, 'charged' AS outcome, "
                + "0.3::DOUBLE AS amount, 'EUR' AS currency, 1.0::DOUBLE AS price_version, TIMESTAMPTZ '2026-01-01 00:00:01+00' AS decided_at");
        StagingReport r = stage(InputSource.files(p.toString()), InputSource.files(d.toString()), null);
        assertThat(event("e1").get("quantity")).isEqualTo(new BigDecimal("0.100000000"));
        assertThat(event("e1").get("value")).isEqualTo(new BigDecimal("19.990000000"));
        assertThat(rows("SELECT amount, price_version FROM decisions").get(0)).containsEntry("amount", new BigDecimal("0.300000000"))
                .containsEntry("price_version", 1);
        assertThat(r.events().doubleConversions()).containsExactly("events.quantity", "events.value");
        assertThat(r.doubleConversions()).containsExactly("events.quantity", "events.value", "decisions.amount");
    }

    @Test
    void identicalDuplicatesAreOneEventAndDifferentContentConflicts() {
        write("ev/a.csv", "event_id,customer_id,meter,quantity,event_time,dimensions,note\n"
                + "e1,c1,api,1,2026-01-01T10:00:00Z,\"{\"\"a\"\":\"\"1\"\",\"\"b\"\":\"\"2\"\"}\",first\n"
                + "e2,c1,api,5,2026-01-01T10:00:00Z,\"{\"\"r\"\":\"\"eu\"\"}\",x\n"
                + "e3,c1,api,7,2026-01-01T10:00:00Z,,x\n");
        write("ev/b.jsonl",
                "{\"event_id\":\"e1\",\"customer_id\":\"c1\",\"meter\":\"api\",\"quantity\":\"1.0\",\"event_time\":\"2026-01-01T11:00:00+01:00\","
                        + "\"dimensions\":{\"b\":\"2\",\"a\":\"1\"},\"note\":\"second, differs\"}\n"
                        + "{\"event_id\":\"e2\",\"customer_id\":\"c1\",\"meter\":\"api\",\"quantity\":5,\"event_time\":\"2026-01-01T10:00:00Z\","
                        + "\"dimensions\":{\"r\":\"us\"}}\n");
        parquet("ev/c.parquet", "SELECT 'e1' AS event_id, 'c1' AS customer_id, 'api' AS meter, CAST(1 AS DECIMAL(5,3)) AS quantity, "
                + "TIMESTAMPTZ '2026-01-01 10:00:00+00' AS event_time, MAP {'b': '2', 'a': '1'} AS dimensions");
        StagingReport r = stageEvents(dir.resolve("ev").toString());
        List<Map<String, Object>> unique = rows("SELECT event_id, deliveries, src_file, src_row FROM events_unique ORDER BY event_id");
        assertThat(unique).extracting(m -> m.get("event_id") + " " + m.get("deliveries") + " " + m.get("src_row")).containsExactly(
                "e1 3 1", "e3 1 3");
        assertThat(unique.get(0).get("src_file")).isEqualTo(dir.resolve("ev/a.csv").toString());
        List<Map<String, Object>> conflicts = rows("SELECT * FROM event_conflicts");
        assertThat(conflicts).singleElement().satisfies(c -> {
            assertThat(c.get("event_id")).isEqualTo("e2");
            assertThat(c.get("variants")).isEqualTo(2);
            assertThat(c.get("rows")).isEqualTo(2);
            assertThat(c.get("customer_id")).isEqualTo("c1");
            assertThat(c.get("src_files")).isEqualTo(dir.resolve("ev/a.csv") + ", " + dir.resolve("ev/b.jsonl"));
        });
        assertThat(r.events().duplicateDeliveries()).isEqualTo(2);
        assertThat(r.events().conflictingIds()).isEqualTo(1);
        assertThat(r.events().validRows()).isEqualTo(6);
        assertThat(r.events().stagedRows()).isEqualTo(2);
    }

    @Test
    void ingestedAtIsPartOfAnEventsContent() {
        // Contracts section 9: identical means equal in every contract column; ingested_at is one, compared as an instant.
        write("ev/a.csv", "event_id,customer_id,meter,quantity,event_time,ingested_at\n"
                + "e1,c1,api,1,2026-01-01T10:00:00Z,2026-01-01T10:00:01Z\n"
                + "e1,c1,api,1,2026-01-01T10:00:00Z,2026-01-01T11:00:01+01:00\n"
                + "e2,c1,api,1,2026-01-01T10:00:00Z,2026-01-01T10:00:01Z\n"
                + "e2,c1,api,1,2026-01-01T10:00:00Z,2026-01-01T10:05:00Z\n"
                + "e3,c1,api,1,2026-01-01T10:00:00Z,\n"
                + "e3,c1,api,1,2026-01-01T10:00:00Z,\n");
        StagingReport r = stageEvents(dir.resolve("ev").toString());
        assertThat(rows("SELECT event_id FROM event_conflicts")).extracting(m -> m.get("event_id")).containsExactly("e2");
        assertThat(rows("SELECT event_id, deliveries FROM events_unique ORDER BY event_id"))
                .extracting(m -> m.get("event_id") + " " + m.get("deliveries")).containsExactly("e1 2", "e3 2");
        assertThat(r.events().duplicateDeliveries()).isEqualTo(2);
        assertThat(r.events().conflictingIds()).isEqualTo(1);
    }

    @Test
    void decisionDuplicates() {
        write("ev/a.csv", EV_HEADER + E1);
        Path d = write("dec/d.csv", DEC_HEADER
                + "d1,e1,c1,api,charged,1.50,eur,p1,1,,,,,2026-01-01T00:00:01Z,inv1\n"
                + "d1,e1,c1,api,CHARGED,1.5,EUR,p1,1,,,,,2026-01-01T01:00:01+01:00,inv1\n"
                + "d2,e1,c1,api,charged,1.50,EUR,p1,1,,,,,2026-01-01T00:00:01Z,\n"
                + "d2,e1,c1,api,charged,2.50,EUR,p1,1,,,,,2026-01-01T00:00:01Z,\n"
                + "d2,e1,c1,api,charged,2.50,EUR,p1,1,,,,,2026-01-01T00:00:01Z,\n");
        StagingReport r = stage(InputSource.files(dir.resolve("ev").toString()), InputSource.files(d.toString()), null);
        assertThat(rows("SELECT decision_id, amount, src_row FROM decisions ORDER BY src_row"))
                .extracting(m -> m.get("decision_id") + " " + ((BigDecimal) m.get("amount")).stripTrailingZeros().toPlainString() + " " + m.get("src_row"))
                .containsExactly("d1 1.5 1", "d2 1.5 3", "d2 2.5 4");
        assertThat(r.decisions().duplicateDeliveries()).isEqualTo(2);
        assertThat(r.decisions().conflictingIds()).isEqualTo(1);
        assertThat(r.decisions().validRows()).isEqualTo(5);
        assertThat(r.decisions().stagedRows()).isEqualTo(3);
    }

    @Test
    void stagedTablesHaveTheContractSchema() {
        write("ev/a.csv", EV_HEADER + E1);
        stageEvents(dir.resolve("ev").toString());
        assertThat(schema("events")).isEqualTo("event_id VARCHAR, customer_id VARCHAR, meter VARCHAR, quantity DECIMAL(38,9), "
                + "event_time TIMESTAMP WITH TIME ZONE, ingested_at TIMESTAMP WITH TIME ZONE, value DECIMAL(38,9), dimensions VARCHAR, "
                + "src_file VARCHAR, src_row BIGINT");
        assertThat(schema("events_unique")).isEqualTo(schema("events") + ", deliveries INTEGER");
        assertThat(schema("decisions")).isEqualTo("decision_id VARCHAR, event_id VARCHAR, customer_id VARCHAR, meter VARCHAR, "
                + "outcome VARCHAR, amount DECIMAL(38,9), currency VARCHAR, price_policy_id VARCHAR, price_version INTEGER, "
                + "discount_policy_id VARCHAR, discount_version INTEGER, entitlement_policy_id VARCHAR, entitlement_version INTEGER, "
                + "decided_at TIMESTAMP WITH TIME ZONE, invoice_id VARCHAR, src_file VARCHAR, src_row BIGINT");
        assertThat(schema("quarantine")).isEqualTo("input VARCHAR, src_file VARCHAR, src_row BIGINT, reason VARCHAR, raw VARCHAR");
        assertThat(schema("event_conflicts")).isEqualTo("event_id VARCHAR, variants INTEGER, rows INTEGER, customer_id VARCHAR, "
                + "meter VARCHAR, event_time TIMESTAMP WITH TIME ZONE, src_files VARCHAR");
    }

    @Test
    void dimensionsAreCanonicalWhateverTheirSpelling() {
        write("ev/a.csv", "event_id,customer_id,meter,quantity,event_time,dimensions\n"
                + "e1,c1,api,1,2026-01-01T10:00:00Z,\"{\"\"a\"\": \"\"\u00e9\"\", \"\"b\"\": \"\"x y\"\"}\"\n"
                + "e1,c1,api,1,2026-01-01T10:00:00Z,\"{ \"\"b\"\":\"\"x y\"\",\"\"a\"\":\"\"\\u00e9\"\", \"\"n\"\": null }\"\n"
                + "e2,c1,api,1,2026-01-01T10:00:00Z,{}\n");
        parquet("ev/b.parquet", "SELECT 'e1' AS event_id, 'c1' AS customer_id, 'api' AS meter, 1 AS quantity, "
                + "TIMESTAMPTZ '2026-01-01 10:00:00+00' AS event_time, MAP {'b': 'x y', 'a': '\u00e9'} AS dimensions");
        StagingReport r = stageEvents(dir.resolve("ev").toString());
        assertThat(rows("SELECT DISTINCT dimensions FROM events WHERE event_id = 'e1'")).extracting(m -> m.get("dimensions"))
                .containsExactly("{\"a\":\"\u00e9\",\"b\":\"x y\"}");
        assertThat(event("e2").get("dimensions")).isNull();
        assertThat(r.events().conflictingIds()).isZero();
        assertThat(r.events().duplicateDeliveries()).isEqualTo(2);
    }

    private String schema(String table) {
        return String.join(", ", rows("DESCRIBE " + table).stream().map(m -> m.get("column_name") + " " + m.get("column_type")).toList());
    }
}
