package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.app.ScenarioIT.Run;
import dev.attest.generator.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An audit of a window reads only what the window can touch (issue "incremental audits", part 1): on data in hive
 * date partitions it skips the days outside every customer's rating scope, and finds exactly what the same audit
 * finds on the same rows in a few large files.
 */
class PruningIT {
    static final String FROM = "2026-02-05T00:00:00Z", TO = "2026-02-15T00:00:00Z";

    static Run audit(Path data, Path out, Path meta, String... more) {
        List<String> args = new ArrayList<>(List.of("audit", "--events", data.resolve("events").toString(), "--decisions",
                data.resolve("decisions").toString(), "--policies", data.resolve("policies").toString(), "--customers",
                data.resolve("customers.csv").toString(), "--as-of", "2026-05-05T00:00:00Z", "--out", out.toString(), "--metadata",
                Metadata.h2(meta)));
        args.addAll(List.of(more));
        return Run.of(args.toArray(String[]::new));
    }

    static List<String> rows(String sql) throws Exception {
        return DuckRows.of(sql, "|");
    }

    @Test
    void aWindowOnDatePartitionsReadsItsScopeAndFindsWhatTheFlatLayoutFinds(@TempDir Path tmp) throws Exception {
        Path flat = tmp.resolve("flat"), dated = tmp.resolve("dated");
        new Generator().generate(flat, 4_000, 3);
        new Generator().withDateLayout().generate(dated, 4_000, 3);
        try (var parts = Files.list(dated.resolve("events"))) {
            assertThat(parts.map(p -> p.getFileName().toString())).allMatch(n -> n.matches("date=2026-\\d\\d-\\d\\d")).hasSizeGreaterThan(60);
        }
        Run a = audit(flat, tmp.resolve("runs-flat"), tmp.resolve("meta"), "--from", FROM, "--to", TO);
        // Its own run history: the lifecycle columns of report.html (first seen, age) are per metadata database.
        Run b = audit(dated, tmp.resolve("runs-dated"), tmp.resolve("meta-dated"), "--from", FROM, "--to", TO);
        assertThat(a.exit()).as(a.stderr()).isBetween(0, 1);
        assertThat(b.exit()).as(b.stderr()).isEqualTo(a.exit());
        Path ra = Path.of(a.lastStdoutLine()), rb = Path.of(b.lastStdoutLine());
        String cols = "* EXCLUDE (run_id, explain)";
        List<String> fa = rows("SELECT " + cols + " FROM read_parquet('" + ra.resolve("findings.parquet") + "')");
        assertThat(fa).isNotEmpty();
        assertThat(rows("SELECT " + cols + " FROM read_parquet('" + rb.resolve("findings.parquet") + "')")).containsExactlyElementsOf(fa);
        assertThat(rows("SELECT * FROM read_parquet('" + rb.resolve("expected.parquet") + "')"))
                .containsExactlyElementsOf(rows("SELECT * FROM read_parquet('" + ra.resolve("expected.parquet") + "')"));

        JsonNode manifest = JsonMapper.builder().build().readTree(Files.readString(rb.resolve("manifest.json")));
        JsonNode events = manifest.path("inputs").path("events");
        // The rating scope of a 5-14 February window runs from the earliest period start of any cycle (mid-January) to
        // the latest period end (mid-March): the other days are skipped, each with its reason.
        assertThat(events.path("skipped").size()).isGreaterThan(30);
        assertThat(events.path("skipped").get(0).path("reason").asString()).startsWith("partition date=2026-01-01 is outside [");
        assertThat(events.path("files").size()).isLessThan(70);
        JsonNode summary = JsonMapper.builder().build().readTree(Files.readString(rb.resolve("summary.json")));
        assertThat(summary.path("inputs").path("files_skipped").asLong()).isGreaterThan(30);

        Run verify = Run.of("verify", rb.toString(), "--metadata", Metadata.h2(tmp.resolve("meta-dated")));
        assertThat(verify.exit()).as(verify.stdout() + verify.stderr()).isZero();
    }

    @Test
    void aDecisionOfAnEventOutsideTheScopeIsNoOrphan(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        write(data.resolve("events/date=2026-01-05/part.csv"), "event_id,customer_id,meter,quantity,event_time\nold,c1,sms,1,2026-01-05T10:00:00Z\n");
        write(data.resolve("events/date=2026-02-10/part.csv"), "event_id,customer_id,meter,quantity,event_time\nnew,c1,sms,1,2026-02-10T10:00:00Z\n");
        String head = "decision_id,event_id,customer_id,meter,outcome,amount,currency,price_policy_id,price_version,decided_at,invoice_id\n";
        write(data.resolve("decisions/date=2026-01-05/part.csv"), head + "d-old,old,c1,sms,charged,1.00,USD,p,1,2026-01-05T10:00:01Z,i1\n");
        write(data.resolve("decisions/date=2026-02-10/part.csv"), head + "d-new,new,c1,sms,charged,1.00,USD,p,1,2026-02-10T10:00:01Z,i2\n"
                // decided in the window about January's event (outside the rating scope): it exists, so no orphan
                + "d-late,old,c1,sms,charged,1.00,USD,p,1,2026-02-10T11:00:00Z,i2\n"
                + "d-orphan,nowhere,c1,sms,charged,1.00,USD,p,1,2026-02-10T12:00:00Z,i2\n");
        write(data.resolve("policies/p.yaml"), """
                policy_id: p
                kind: price
                meter: sms
                currency: USD
                versions:
                  - {version: 1, valid_from: "2026-01-01T00:00:00Z", recorded_at: "2025-12-01T00:00:00Z", change_ref: P-1, author: a,
                     rule: {model: unit, unit_price: "1.00"}}
                """);
        write(data.resolve("customers.csv"), "customer_id\nc1\n");
        Run run = audit(data, tmp.resolve("runs"), tmp.resolve("meta"), "--from", "2026-02-10T00:00:00Z", "--to", "2026-02-11T00:00:00Z");
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        Path dir = Path.of(run.lastStdoutLine());
        assertThat(rows("SELECT code, decision_id FROM read_parquet('" + dir.resolve("findings.parquet") + "') ORDER BY ALL"))
                .containsExactly("ORPHAN_DECISION|d-orphan");
        JsonNode manifest = JsonMapper.builder().build().readTree(Files.readString(dir.resolve("manifest.json")));
        assertThat(manifest.path("inputs").path("events").path("skipped").get(0).path("path").asString()).endsWith("date=2026-01-05/part.csv");
    }

    private static void write(Path f, String text) throws Exception {
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }
}
