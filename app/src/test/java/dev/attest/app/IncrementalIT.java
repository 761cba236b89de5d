package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.app.ScenarioIT.Run;
import dev.attest.generator.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Incremental audits (carried period state): a week audited night by night, each night starting from the state the
 * previous night left, finds exactly what a full audit of each night finds and, together, what one audit of the week
 * finds; a late event in a file of an earlier day voids the state (the night rates its periods from their starts, and
 * says why); verify reproduces a run that started from a state.
 */
class IncrementalIT {
    static final String AS_OF = "2026-05-05T00:00:00Z";
    static final JsonMapper JSON = JsonMapper.builder().build();

    static Run audit(Path data, Path out, Path meta, Instant from, Instant to, String... more) {
        List<String> args = new ArrayList<>(List.of("audit", "--events", data.resolve("events").toString(), "--decisions",
                data.resolve("decisions").toString(), "--policies", data.resolve("policies").toString(), "--customers",
                data.resolve("customers.csv").toString(), "--as-of", AS_OF, "--out", out.toString(), "--metadata", Metadata.h2(meta),
                "--from", from.toString(), "--to", to.toString()));
        args.addAll(List.of(more));
        Run r = Run.of(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.stderr()).isBetween(0, 1);
        return r;
    }

    static List<String> findings(Path runDir, String columns) throws Exception {
        return PruningIT.rows("SELECT " + columns + " FROM read_parquet('" + runDir.resolve("findings.parquet") + "') ORDER BY ALL");
    }

    static JsonNode manifest(Path runDir) throws Exception {
        return JSON.readTree(Files.readString(runDir.resolve("manifest.json")));
    }

    @Test
    void aWeekNightByNightFromCarriedStatesFindsWhatFullAuditsFind(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        new Generator().withDateLayout().generate(data, 6_000, 5);
        Instant monday = Instant.parse("2026-02-02T00:00:00Z");
        List<String> union = new ArrayList<>();
        Path carriedRun = null;
        for (int night = 0; night < 6; night++) {
            Instant from = monday.plus(night, ChronoUnit.DAYS), to = from.plus(1, ChronoUnit.DAYS);
            Run inc = audit(data, tmp.resolve("nightly"), tmp.resolve("meta-nightly"), from, to);
            Run full = audit(data, tmp.resolve("full-" + night), tmp.resolve("meta-full-" + night), from, to, "--full");
            Path a = Path.of(inc.lastStdoutLine()), b = Path.of(full.lastStdoutLine());
            JsonNode carried = manifest(a).path("carried_state");
            if (night == 0) {
                assertThat(carried.path("started_from").isMissingNode()).as(inc.stderr()).isTrue();
                assertThat(inc.stderr()).contains("rating the window's billing periods from their starts: no state");
            } else {
                assertThat(carried.path("started_from").path("used").asBoolean()).as(inc.stderr()).isTrue();
                assertThat(inc.stderr()).contains("starting from the periods' state at " + from);
                carriedRun = a;
            }
            assertThat(carried.path("written").path("id").asString()).hasSize(32);
            assertThat(manifest(b).path("carried_state").path("started_from").isMissingNode()).isTrue();
            // Everything but the run id (which names what was read) is the same as the full audit's.
            assertThat(findings(a, "* EXCLUDE (run_id, explain)")).as("night " + night).containsExactlyElementsOf(findings(b, "* EXCLUDE (run_id, explain)"));
            assertThat(PruningIT.rows("SELECT * FROM read_parquet('" + a.resolve("expected.parquet") + "')")).as("night " + night)
                    .containsExactlyElementsOf(PruningIT.rows("SELECT * FROM read_parquet('" + b.resolve("expected.parquet") + "')"));
            // A night from a state reads that night's days, not the periods' earlier ones.
            if (night > 0)
                assertThat(manifest(a).path("inputs").path("events").path("files").size())
                        .isLessThan(manifest(b).path("inputs").path("events").path("files").size());
            union.addAll(findings(a, "code, event_id, decision_id"));
        }
        Run week = audit(data, tmp.resolve("week"), tmp.resolve("meta-week"), monday, monday.plus(6, ChronoUnit.DAYS), "--full");
        assertThat(union.stream().sorted().toList()).containsExactlyElementsOf(findings(Path.of(week.lastStdoutLine()), "code, event_id, decision_id"));

        Run verify = Run.of("verify", carriedRun.toString(), "--metadata", Metadata.h2(tmp.resolve("meta-nightly")));
        assertThat(verify.exit()).as(verify.stdout() + verify.stderr()).isZero();
    }

    @Test
    void aLateEventOfAnEarlierDayVoidsTheStateAndTheNightRatesFromThePeriodsStarts(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        new Generator().withDateLayout().generate(data, 4_000, 9);
        Instant d1 = Instant.parse("2026-02-10T00:00:00Z"), d2 = d1.plus(1, ChronoUnit.DAYS), d3 = d2.plus(1, ChronoUnit.DAYS);
        audit(data, tmp.resolve("nightly"), tmp.resolve("meta"), d1, d2);
        // A late event for the 5th arrives in the lake after the night of the 10th was audited.
        Path late = data.resolve("events/date=2026-02-05/late.csv");
        Files.writeString(late, "event_id,customer_id,meter,quantity,event_time\nlate-1,cust-0001,api_calls,500,2026-02-05T12:00:00Z\n");
        Run next = audit(data, tmp.resolve("nightly"), tmp.resolve("meta"), d2, d3);
        assertThat(next.stderr()).contains("rating the window's billing periods from their starts", late.toString(),
                "is not one the state was made from");
        Run full = audit(data, tmp.resolve("full"), tmp.resolve("meta-full"), d2, d3, "--full");
        assertThat(findings(Path.of(next.lastStdoutLine()), "* EXCLUDE (run_id, explain)"))
                .containsExactlyElementsOf(findings(Path.of(full.lastStdoutLine()), "* EXCLUDE (run_id, explain)"));
    }
}
