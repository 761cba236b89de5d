package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.rating.BillingCycle;
import dev.attest.core.rating.BillingCycles;
import dev.attest.core.rating.BillingPeriod;
import dev.attest.generator.Generator;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Backfill end to end on generated data without faults, plus three correcting versions recorded on
 * 2026-03-02 (after every decision) that cover past valid time: the default API price was 0.0003, not
 * 0.00025, from Feb 1 to Feb 11 (a price); cust-0005's API discount was 25 %, not 20 %, all February (a
 * discount); cust-0006's trial quota was 1.5 times higher in February (a quota: denied events become
 * charged). The generator's own late correction of cust-0003's February price (0.00015 -> 0.00018,
 * recorded Feb 26) adds the events decided before it.
 *
 * <p>The expected impact is computed here from those numbers with plain arithmetic over the generated
 * rows (read with plain SQL), not with Attest's rater: in data without faults every decision is the
 * as-known expectation, so an event changes exactly when the corrected arithmetic disagrees with it.
 * Customers have their own billing cycles (the generated customers.csv, passed as {@code --customers}): quotas
 * count per period of the customer's cycle, periods straddle the window's edges, and impact lines name the
 * customer's period by its local start date.
 */
class BackfillIT {
    static final String FROM = "2026-02-01";
    static final String TO = "2026-03-01";
    static final String AS_OF = "2026-03-10T00:00:00Z";
    static final Instant FEB_11 = Instant.parse("2026-02-11T00:00:00Z");
    static final String RECORDED = "2026-03-02T09:00:00Z";

    @TempDir
    static Path tmp;
    static Path data;
    /** customer|invoice|period -> {events, before, after}: the independently computed impact lines (all api_calls, USD). */
    static Map<String, BigDecimal[]> expected;
    static long expectedEvents;
    /** Unchanged events of the window after a flipped outcome in their period: restated at the cut-off with the same amount. */
    static long expectedRestated;
    static int outcomeFlips;

    @BeforeAll
    static void generateWithCorrections() throws Exception {
        data = tmp.resolve("data");
        new Generator().withoutFaults().generate(data, 6_000, 5);
        Path p = data.resolve("policies");
        append(p.resolve("price-api_calls.yaml"), version(3, "2026-02-01T00:00:00Z", "\"2026-02-11T00:00:00Z\"",
                "      model: unit\n      unit_price: \"0.0003\"\n    rounding: {scale: 2, mode: half_even}\n"));
        append(p.resolve("discount-api_calls-cust-0005.yaml"), version(2, "2026-02-01T00:00:00Z", "null",
                "      model: discount\n      percent_off: \"25\"\n"));
        BigDecimal oldLimit = limit(p.resolve("entitlement-api_calls-cust-0006.yaml"));
        BigDecimal newLimit = oldLimit.multiply(new BigDecimal("1.5"));
        append(p.resolve("entitlement-api_calls-cust-0006.yaml"), version(2, "2026-02-01T00:00:00Z", "null",
                "      model: entitlement\n      limit: \"" + newLimit.toPlainString() + "\"\n"));
        BigDecimal limit16 = limit(p.resolve("entitlement-api_calls-cust-0016.yaml"));
        expected = expectedImpact(Map.of("cust-0006", newLimit, "cust-0016", limit16), Map.of("cust-0006", oldLimit, "cust-0016", limit16));
        assertThat(expected).as("the corrections change something").isNotEmpty();
        assertThat(outcomeFlips).as("the quota correction turns denied events into charged ones").isPositive();
        assertThat(expectedRestated).as("later events of the flipped period are restated").isPositive();
    }

    @Test
    void previewReportsTheIndependentlyComputedImpactAndHowToApplyIt() throws Exception {
        Path out = tmp.resolve("preview");
        ScenarioIT.Run run = run(out, "p");
        assertThat(run.exit()).as(run.stderr()).isZero();
        Path preview = Path.of(run.lastStdoutLine());
        String id = preview.getParent().getFileName().toString().substring("backfill-".length());
        assertThat(lines(preview.resolve("impact.parquet"), "delta")).isEqualTo(expectedLines());
        // The run history lists the preview beside the audits.
        ScenarioIT.Run history = ScenarioIT.Run.of("runs", "--metadata", Metadata.h2(tmp.resolve("meta-p")));
        assertThat(history.stdout().lines().filter(l -> l.contains("backfill-preview"))).singleElement().asString()
                .contains("COMPLETED", preview.toString());
        JsonNode summary = json(preview.resolve("summary.json"));
        assertThat(summary.path("events").path("to_correct").asLong()).isEqualTo(expectedEvents);
        assertThat(summary.path("events").path("disagreeing_out_of_scope").asLong()).isZero();
        assertThat(summary.path("events").path("restated_unchanged").asLong()).isEqualTo(expectedRestated);
        assertThat(new BigDecimal(summary.path("totals").get(0).path("delta").asString())).isEqualByComparingTo(totalDelta());
        assertThat(summary.path("correcting_versions").toString()).contains("price-api_calls@v3", "discount-api_calls-cust-0005@v2",
                "entitlement-api_calls-cust-0006@v2", "price-api_calls-cust-0003@v2");
        assertThat(summary.path("findings_in_window").path("RETROACTIVE_CORRECTION").asLong()).isPositive();
        assertThat(run.stderr()).contains("--apply --preview " + id);
        assertThat(out.resolve("corrections")).as("a preview writes no correction").doesNotExist();
        // The same for people: report.html with the totals in minor units, the correcting versions, the lines and the command.
        String html = Files.readString(preview.resolve("report.html"));
        assertThat(html).contains("Attest backfill preview", "preview <code>" + id + "</code>", summary.path("apply_command").asString(),
                dev.attest.core.findings.Money.formatSigned("USD", totalDelta()), "price-api_calls@v3", "id=\"impact-table\"");
        assertThat(html.split("<tr>", -1).length).as("a row per impact line, besides the other tables").isGreaterThan(expectedLines().size());

        ScenarioIT.Run again = run(out, "p");
        assertThat(again.stderr()).contains("already previewed");
        assertThat(Path.of(again.lastStdoutLine())).isEqualTo(preview);
    }

    @Test
    void applyRefusesWithoutAPreviewIdOrYesAndWhenTheInputsChanged() throws Exception {
        Path out = tmp.resolve("refusals");
        ScenarioIT.Run bare = run(out, "r", "--apply");
        assertThat(bare.exit()).isEqualTo(2);
        assertThat(bare.stderr()).contains("--apply needs --preview ID");
        assertThat(run(out, "r", "--apply", "--preview", "x", "--yes").exit()).isEqualTo(2);
        assertThat(run(out, "r", "--yes").exit()).as("--yes without --apply is a mistake, not a dry run").isEqualTo(2);
        assertThat(ScenarioIT.Run.of("--help").stdout()).contains("backfill");

        ScenarioIT.Run preview = run(out, "r");
        String id = Path.of(preview.lastStdoutLine()).getParent().getFileName().toString().substring("backfill-".length());
        // The inputs change after the preview: another correction is recorded. The preview no longer describes them.
        Path policies = tmp.resolve("refusals-policies");
        copyTree(data.resolve("policies"), policies);
        append(policies.resolve("price-sms.yaml"), version(2, "2026-02-01T00:00:00Z", "null",
                "      model: package\n      package_size: \"100\"\n      package_price: \"0.80\"\n      free_units: \"100\"\n"
                        + "    rounding: {scale: 2, mode: half_even}\n"));
        ScenarioIT.Run changed = ScenarioIT.Run.of(args(out, "r", policies, "--apply", "--preview", id).toArray(String[]::new));
        assertThat(changed.exit()).as(changed.stderr()).isEqualTo(2);
        assertThat(changed.stderr()).contains("the inputs changed since preview " + id);
        assertThat(out.resolve("corrections")).as("nothing was applied").doesNotExist();
    }

    @Test
    void applyWritesAVerifiedCorrectionOnceAndTheCorrectedBooksAuditClean() throws Exception {
        Path out = tmp.resolve("apply");
        ScenarioIT.Run preview = run(out, "a");
        String id = Path.of(preview.lastStdoutLine()).getParent().getFileName().toString().substring("backfill-".length());
        ScenarioIT.Run apply = run(out, "a", "--apply", "--preview", id);
        assertThat(apply.exit()).as(apply.stderr()).isZero();
        Path dataset = Path.of(apply.lastStdoutLine());
        assertThat(dataset).isEqualTo(out.resolve("corrections").resolve(id));

        // adjustments: one line per customer, meter, period and invoice, amount = after - before
        // (a line whose changes cancel out, delta 0, needs no adjustment: customers' periods straddle the price change)
        assertThat(lines(dataset.resolve("adjustments.parquet"), "amount"))
                .isEqualTo(expectedLines().stream().filter(l -> !l.endsWith(",0")).toList());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            String decisions = "read_parquet('" + dataset + "/corrected_decisions/*/*.parquet')";
            ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT original_decision_id), count(*) FILTER (WHERE decision_id = "
                    + "original_decision_id || '+c' || substr(correction_id, 1, 12)), count(*) FILTER (WHERE correcting_versions = ''), "
                    + "count(*) FILTER (WHERE decided_at <> TIMESTAMPTZ '" + AS_OF + "') FROM " + decisions);
            rs.next();
            long corrected = expectedEvents + expectedRestated;
            assertThat(rs.getLong(1)).as("one corrected decision per changed (or restated) event").isEqualTo(corrected);
            assertThat(rs.getLong(2)).isEqualTo(corrected);
            assertThat(rs.getLong(3)).as("ids derived from the original").isEqualTo(corrected);
            assertThat(rs.getLong(4)).as("each names the version that corrects it").isZero();
            assertThat(rs.getLong(5)).as("decided at the cut-off").isZero();
            rs = st.executeQuery("SELECT count(*) FROM read_parquet('" + dataset + "/adjustments.parquet') WHERE correction_id <> '" + id
                    + "' OR len(original_decision_ids) <> events_affected + events_restated OR kind <> CASE WHEN amount < 0 THEN 'credit' ELSE 'debit' END");
            rs.next();
            assertThat(rs.getLong(1)).as("every line names the correction, its original decisions and its direction").isZero();
        }
        JsonNode summary = json(dataset.resolve("summary.json"));
        JsonNode v = summary.path("verification");
        assertThat(v.path("clean").asBoolean()).isTrue();
        assertThat(v.path("findings_in_window").path("RETROACTIVE_CORRECTION").path("before").asLong()).isPositive();
        assertThat(v.path("findings_in_window").path("RETROACTIVE_CORRECTION").path("after").asLong()).isZero();
        assertThat(v.path("events").path("before").path("disagreeing_with_as_corrected").asLong()).isEqualTo(expectedEvents);
        assertThat(v.path("events").path("after").path("disagreeing_with_as_corrected").asLong()).isZero();
        JsonNode manifest = json(dataset.resolve("manifest.json"));
        assertThat(manifest.path("correction_id").asString()).isEqualTo(id);
        assertThat(manifest.path("preview_id").asString()).isEqualTo(id);
        assertThat(manifest.path("correcting_versions").toString()).contains("price-api_calls@v3");

        // applying the same correction again writes nothing new
        ScenarioIT.Run again = run(out, "a", "--apply", "--yes");
        assertThat(again.exit()).isZero();
        assertThat(again.stderr()).contains("already applied");
        assertThat(children(out.resolve("corrections"))).containsExactly(id);

        // the corrected books (originals minus superseded, plus corrected) need no correction, and audit clean
        String books = booksSql(dataset);
        List<String> fed = new ArrayList<>(List.of("backfill", "--events", data.resolve("events").toString(), "--decisions-sql", books,
                "--policies", data.resolve("policies").toString(), "--from", FROM, "--to", TO, "--as-of", AS_OF,
                "--out", out.resolve("books").toString(), "--metadata", Metadata.h2(tmp.resolve("meta-a")), "--apply", "--yes",
                "--customers", customers()));
        ScenarioIT.Run fedBack = ScenarioIT.Run.of(fed.toArray(String[]::new));
        assertThat(fedBack.exit()).as(fedBack.stderr()).isZero();
        assertThat(fedBack.stderr()).contains("nothing to correct");
        assertThat(out.resolve("books").resolve("corrections")).doesNotExist();

        ScenarioIT.Run audit = ScenarioIT.Run.of("audit", "--events", data.resolve("events").toString(), "--decisions-sql", books,
                "--policies", data.resolve("policies").toString(), "--from", FROM, "--to", TO, "--as-of", AS_OF,
                "--out", out.resolve("audit").toString(), "--metadata", Metadata.h2(tmp.resolve("meta-a")), "--customers", customers());
        assertThat(audit.exit()).as(audit.stderr()).isZero();
        assertThat(ScenarioIT.findings(Path.of(audit.lastStdoutLine()))).as("an as-corrected audit of the corrected books").isEmpty();
    }

    @Test
    void aPartitionThatFailsIsRerunAloneAndTheResultIsByteIdentical() throws Exception {
        Path clean = tmp.resolve("uninterrupted");
        ScenarioIT.Run straight = run(clean, "u", "--apply", "--yes");
        assertThat(straight.exit()).as(straight.stderr()).isZero();

        Path out = tmp.resolve("restarted");
        String failDay = "2026-02-05";
        ScenarioIT.Run failed;
        System.setProperty("attest.backfill.failOnceOnDay", failDay);
        try {
            failed = run(out, "k", "--apply", "--yes");
        } finally {
            System.clearProperty("attest.backfill.failOnceOnDay");
        }
        assertThat(failed.exit()).as(failed.stderr()).isEqualTo(3);
        assertThat(failed.stderr()).contains("injected failure");
        Path corrections = out.resolve("corrections");
        assertThat(children(corrections)).as("nothing published, only the temporary folder").allMatch(n -> n.startsWith("."));
        try (Stream<Path> files = Files.walk(corrections)) {
            assertThat(files.filter(f -> f.toString().contains("day=" + failDay)).filter(Files::isRegularFile).toList())
                    .as("the failed day left only its temporary file").allMatch(f -> f.toString().endsWith(".tmp"));
        }

        ScenarioIT.Run restarted = run(out, "k", "--apply", "--yes");
        assertThat(restarted.exit()).as(restarted.stderr()).isZero();
        Path dataset = Path.of(restarted.lastStdoutLine());
        Path reference = Path.of(straight.lastStdoutLine());
        assertThat(relativeFiles(dataset)).isEqualTo(relativeFiles(reference)).isNotEmpty();
        for (String f : relativeFiles(reference))
            assertThat(Files.readAllBytes(dataset.resolve(f))).as(f + " is byte-identical").isEqualTo(Files.readAllBytes(reference.resolve(f)));

        try (Connection c = DriverManager.getConnection(Metadata.h2(tmp.resolve("meta-k"))); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT STEP_NAME, count(*) FROM BATCH_STEP_EXECUTION WHERE STEP_NAME LIKE 'backfill-apply-day:%' "
                    + "GROUP BY STEP_NAME ORDER BY STEP_NAME");
            Map<String, Long> runs = new TreeMap<>();
            while (rs.next()) runs.put(rs.getString(1), rs.getLong(2));
            assertThat(runs).hasSizeGreaterThan(10);
            assertThat(runs.get("backfill-apply-day:day-" + failDay)).as("the failed day ran again").isEqualTo(2L);
            assertThat(runs.entrySet()).filteredOn(e -> !e.getKey().endsWith(failDay)).as("every other day ran once")
                    .allMatch(e -> e.getValue() == 1L);
            rs = st.executeQuery("SELECT count(*) FROM BATCH_STEP_EXECUTION WHERE STEP_NAME = 'backfill-rate'");
            rs.next();
            assertThat(rs.getLong(1)).as("rating was not redone").isEqualTo(1L);
        }
    }

    @Test
    void aProcessKilledMidApplyRestartsToTheSameDataset() throws Exception {
        Path clean = tmp.resolve("uninterrupted-2");
        ScenarioIT.Run straight = run(clean, "u2", "--apply", "--yes");
        assertThat(straight.exit()).as(straight.stderr()).isZero();

        Path out = tmp.resolve("killed");
        String day = "2026-02-09";
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g", "-Dattest.backfill.pauseOnDay=" + day, "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args(out, "kill", data.resolve("policies"), "--apply", "--yes"));
        // Hold the H2 file open: the victim joins it through H2's auto-server (as RestartIT does).
        Connection watch = DriverManager.getConnection(Metadata.h2(tmp.resolve("meta-kill")));
        Process victim = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("victim.log").toFile()).start();
        Path pausedTmp = out.resolve("corrections").resolve(".").normalize();
        boolean killed = false;
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (victim.isAlive() && System.nanoTime() < deadline) {
            if (hasTmpFileOf(out.resolve("corrections"), day)) {
                Thread.sleep(300); // let the other worker finish a day or two
                victim.destroyForcibly().waitFor();
                killed = true;
                break;
            }
            Thread.sleep(20);
        }
        assertThat(killed).as("killed while the apply step ran\n" + Files.readString(tmp.resolve("victim.log"))).isTrue();
        assertThat(children(pausedTmp)).as("nothing published").allMatch(n -> n.startsWith("."));

        ScenarioIT.Run restarted = run(out, "kill", "--apply", "--yes");
        assertThat(restarted.exit()).as(restarted.stderr()).isZero();
        try (Statement st = watch.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM BATCH_STEP_EXECUTION WHERE STEP_NAME = 'backfill-rate'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the restart went on from the apply step").isEqualTo(1L);
        }
        watch.close();
        Path dataset = Path.of(restarted.lastStdoutLine());
        Path reference = Path.of(straight.lastStdoutLine());
        assertThat(relativeFiles(dataset)).isEqualTo(relativeFiles(reference));
        for (String f : relativeFiles(reference))
            assertThat(Files.readAllBytes(dataset.resolve(f))).as(f + " is byte-identical").isEqualTo(Files.readAllBytes(reference.resolve(f)));
    }

    private static boolean hasTmpFileOf(Path corrections, String day) throws Exception {
        if (!Files.isDirectory(corrections)) return false;
        try (Stream<Path> s = Files.walk(corrections)) {
            return s.anyMatch(p -> p.toString().contains("day=" + day) && p.toString().endsWith(".tmp"));
        }
    }

    // ---- the independent expectation ----

    /**
     * Per (customer, invoice, billing period): events of the window whose corrected amount or outcome differs from the
     * decision, and the money. Quotas count every allowed event of the customer's period, also those of the period
     * before the window starts (rated, not corrected); corrected limits apply from their valid_from (Feb 1).
     *
     * @param limits    each trial customer's quota as corrected (from Feb 1)
     * @param oldLimits each trial customer's quota before Feb 1
     */
    private static Map<String, BigDecimal[]> expectedImpact(Map<String, BigDecimal> limits, Map<String, BigDecimal> oldLimits) throws Exception {
        Map<String, BigDecimal[]> lines = new TreeMap<>();
        Map<String, BigDecimal> counters = new TreeMap<>();
        java.util.Set<String> flipped = new java.util.HashSet<>();
        long events = 0, restated = 0;
        int flips = 0;
        BillingCycles cycles = cycles();
        Instant from = Instant.parse(FROM + "T00:00:00Z"), to = Instant.parse(TO + "T00:00:00Z");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT e.customer_id, e.event_time, e.quantity, d.outcome, d.amount, d.invoice_id FROM read_parquet('"
                     + data.resolve("events") + "/*.parquet') e JOIN read_parquet('" + data.resolve("decisions") + "/*.parquet') d USING (event_id) "
                     + "WHERE e.meter = 'api_calls' ORDER BY e.customer_id, e.event_time, e.event_id")) {
            while (rs.next()) {
                String customer = rs.getString(1);
                Instant t = rs.getObject(2, java.time.OffsetDateTime.class).toInstant();
                BillingPeriod period = cycles.of(customer).periodOf(t);
                if (!period.end().isAfter(from) || !period.start().isBefore(to)) continue; // a period the window does not touch
                boolean inWindow = !t.isBefore(from) && t.isBefore(to);
                String periodKey = customer + "|" + period;
                BigDecimal q = rs.getBigDecimal(3);
                boolean charged;
                BigDecimal limit = (t.isBefore(from) ? oldLimits : limits).get(customer);
                if (limit == null) charged = true;
                else {
                    BigDecimal before = counters.getOrDefault(periodKey, BigDecimal.ZERO);
                    charged = before.add(q).compareTo(limit) <= 0;
                    if (charged) counters.put(periodKey, before.add(q));
                }
                if (!inWindow) continue; // before the window nothing was corrected: the decisions stand
                BigDecimal price = customer.equals("cust-0003") ? new BigDecimal("0.00018")
                        : t.isBefore(FEB_11) ? new BigDecimal("0.0003") : new BigDecimal("0.00025");
                BigDecimal off = customer.equals("cust-0005") ? new BigDecimal("0.75") : BigDecimal.ONE;
                BigDecimal after = charged ? q.multiply(price).multiply(off).setScale(2, RoundingMode.HALF_EVEN) : BigDecimal.ZERO;
                BigDecimal decided = rs.getBigDecimal(5);
                boolean decidedCharged = rs.getString(4).equals("charged");
                boolean changed = decidedCharged != charged || decided.compareTo(after) != 0;
                if (!changed && !flipped.contains(periodKey)) continue;
                BigDecimal[] line = lines.computeIfAbsent(customer + "|" + rs.getString(6) + "|" + period,
                        k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO});
                if (changed) {
                    if (decidedCharged != charged) flipped.add(periodKey);
                    if (!decidedCharged && charged) flips++;
                    events++;
                    line[0] = line[0].add(BigDecimal.ONE);
                } else restated++; // its amount is in both before and after
                line[1] = line[1].add(decided);
                line[2] = line[2].add(after);
            }
        }
        expectedEvents = events;
        expectedRestated = restated;
        outcomeFlips = flips;
        return lines;
    }

    /** The expected lines as text: customer, meter, period, invoice, currency, events, before, after, delta (scale-free). */
    private static List<String> expectedLines() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, BigDecimal[]> e : expected.entrySet()) {
            String[] k = e.getKey().split("\\|");
            BigDecimal[] v = e.getValue();
            out.add(String.join(",", k[0], "api_calls", k[2], k[1], "USD", v[0].toPlainString(), plain(v[1]), plain(v[2]),
                    plain(v[2].subtract(v[1]))));
        }
        return out;
    }

    private static BigDecimal totalDelta() {
        BigDecimal d = BigDecimal.ZERO;
        for (BigDecimal[] v : expected.values()) d = d.add(v[2]).subtract(v[1]);
        return d;
    }

    private static List<String> lines(Path parquet, String deltaColumn) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT customer_id, meter, billing_period, invoice_id, currency, events_affected, amount_before, "
                     + "amount_after, " + deltaColumn + " FROM read_parquet('" + parquet + "') ORDER BY customer_id, invoice_id, billing_period")) {
            while (rs.next())
                out.add(String.join(",", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        String.valueOf(rs.getLong(6)), plain(rs.getBigDecimal(7)), plain(rs.getBigDecimal(8)), plain(rs.getBigDecimal(9))));
        }
        return out;
    }

    private static String plain(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }

    // ---- helpers ----

    private static ScenarioIT.Run run(Path out, String meta, String... extra) {
        return ScenarioIT.Run.of(args(out, meta, data.resolve("policies"), extra).toArray(String[]::new));
    }

    private static List<String> args(Path out, String meta, Path policies, String... extra) {
        List<String> a = new ArrayList<>(List.of("backfill", "--events", data.resolve("events").toString(), "--decisions",
                data.resolve("decisions").toString(), "--policies", policies.toString(), "--from", FROM, "--to", TO, "--as-of", AS_OF,
                "--out", out.toString(), "--metadata", Metadata.h2(tmp.resolve("meta-" + meta)), "--customers", customers()));
        a.addAll(List.of(extra));
        return a;
    }

    /** The generated customers input: the billing cycles the decisions were made with. */
    private static String customers() {
        return data.resolve(GeneratedData.CUSTOMERS_FILE).toString();
    }

    private static BillingCycles cycles() throws Exception {
        Map<String, BillingCycle> byCustomer = new TreeMap<>();
        List<String> rows = Files.readAllLines(Path.of(customers()));
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",", -1);
            byCustomer.put(f[0], BillingCycle.parse(Integer.parseInt(f[1]), f[2]));
        }
        return BillingCycles.of(byCustomer);
    }

    /** The books after the correction: the original decisions without those superseded, plus the corrected ones. */
    static String booksSql(Path dataset) {
        String cols = "decision_id, event_id, customer_id, meter, outcome, amount, currency, price_policy_id, price_version, discount_policy_id, "
                + "discount_version, entitlement_policy_id, entitlement_version, decided_at, invoice_id";
        String corrected = "read_parquet('" + dataset + "/corrected_decisions/*/*.parquet')";
        return "SELECT " + cols + " FROM read_parquet('" + data.resolve("decisions") + "/*.parquet') WHERE decision_id NOT IN "
                + "(SELECT unnest(superseded_decision_ids) FROM " + corrected + ") UNION ALL SELECT " + cols + " FROM " + corrected;
    }

    private static String version(int n, String from, String to, String rule) {
        return "  - version: " + n + "\n    valid_from: \"" + from + "\"\n    valid_to: " + to + "\n    recorded_at: \"" + RECORDED + "\"\n"
                + "    rule:\n" + rule + "    change_ref: CHG-19" + n + "0\n    author: billing-ops\n";
    }

    private static void append(Path yaml, String version) throws Exception {
        String text = Files.readString(yaml);
        Files.writeString(yaml, (text.endsWith("\n") ? text : text + "\n") + version);
    }

    private static BigDecimal limit(Path yaml) throws Exception {
        Matcher m = Pattern.compile("limit: \"([0-9.]+)\"").matcher(Files.readString(yaml));
        assertThat(m.find()).as("a limit in " + yaml).isTrue();
        return new BigDecimal(m.group(1));
    }

    private static JsonNode json(Path file) throws Exception {
        return JsonMapper.builder().build().readTree(Files.readString(file));
    }

    private static List<String> children(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> relativeFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
    }
}
