package dev.attest.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.attest.core.findings.FindingCode;
import dev.attest.core.findings.Severity;
import dev.attest.generator.Generator;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.jobs.audit.AuditOutcome;
import dev.attest.jobs.audit.AuditRequest;
import dev.attest.jobs.audit.CarriedStates;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 19's parity: the same audit by the embedded engine and by Spark at local[2] writes the same run folder, every
 * file but timing.json byte for byte (so findings finding for finding and amount for amount; the manifest pins every
 * output's SHA-256 too). One SparkSession for the class. Seeds and size: -Dattest.spark.seeds, -Dattest.spark.events
 * (the long profile raises both).
 */
class SparkParityIT {
    private static SparkSession spark;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSessions.start("local[2]", 4);
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    @Test
    void generatedDataOfSeveralSeedsGivesTheSameRunFolder() throws Exception {
        long events = Long.getLong("attest.spark.events", 4000);
        Map<String, Long> codes = new TreeMap<>();
        java.util.Set<String> models = new java.util.TreeSet<>();
        for (String s : System.getProperty("attest.spark.seeds", "7,11").split(",")) {
            long seed = Long.parseLong(s.trim());
            Path data = tmp.resolve("gen-" + seed);
            new Generator(2, Generator.DEFAULT_CHUNK_ROWS).generate(data, events, seed);
            AuditRequest request = SparkBench.request(data, tmp.resolve("unused"));
            Map<String, Long> found = sameRunFolder("seed " + seed, request);
            models.addAll(priceModels(data, lastRunDir));
            found.forEach((c, n) -> codes.merge(c, n, Long::sum));
        }
        System.out.println("SparkParityIT generated data: findings per code, all seeds: " + codes + "; price models rated: " + models);
        assertThat(models).as("every price model was rated").containsAll(List.of("unit", "graduated", "volume", "package", "percentage", "matrix"));
        // The generator injects a fault of every kind: each code of the contract is decided by Spark's pass or after it.
        for (FindingCode c : FindingCode.values())
            if (!c.name().startsWith("THRESHOLD_")) assertThat(codes.getOrDefault(c.name(), 0L)).as(c.name()).isPositive();
    }

    @Test
    void nycTaxiSamplesGiveTheSameRunFolder() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path data = root.resolve("../shared/datasets/nyc-tlc-yellow").normalize();
        Path example = root.resolve("examples/nyc-taxi");
        assumeTrue(Files.isDirectory(data) && Files.isDirectory(example), "the NYC TLC samples are not at " + data);
        String trips = Files.readString(example.resolve("trips.sql")).replace("${DATA}", data.toString());
        AuditRequest request = new AuditRequest(InputSource.sql(trips + Files.readString(example.resolve("events.sql"))),
                InputSource.sql(trips + Files.readString(example.resolve("decisions.sql"))), example.resolve("policies").toString(),
                tmp.resolve("unused"), Instant.parse("2019-01-19T05:00:00Z"), Instant.parse("2019-02-16T05:00:00Z"),
                Instant.parse("2019-06-01T00:00:00Z"), BigDecimal.ZERO, null, Severity.ERROR, "America/New_York", null);
        Map<String, Long> codes = sameRunFolder("nyc taxi", request);
        System.out.println("SparkParityIT NYC taxi: findings per code: " + codes);
        assertThat(codes.values().stream().mapToLong(Long::longValue).sum()).isPositive();
    }

    @Test
    void aHeavyPeriodSplitIntoChunksRatesAsOneFold() throws Exception {
        Path data = tmp.resolve("skewed");
        SparkBench.Skewed.write(data, 6000, 0.3, 1);
        AuditRequest request = SparkBench.request(data, tmp.resolve("unused"));
        System.setProperty(SparkRatePass.SKEW_MIN_EVENTS, "100"); // every period above a task's share is split
        // and through a scratch folder named by URI, as on a cluster (hdfs:, s3a:): the staged inputs go there and back
        System.setProperty(SparkRatePass.SCRATCH, tmp.resolve("scratch").toUri().toString());
        try {
            sameRunFolder("skewed", request);
        } finally {
            System.clearProperty(SparkRatePass.SKEW_MIN_EVENTS);
            System.clearProperty(SparkRatePass.SCRATCH);
        }
        SparkRatePass.Stats stats = lastStats;
        assertThat(stats.splitKeys()).as("the whale's period is split").isGreaterThanOrEqualTo(1);
        assertThat(stats.chunks()).isGreaterThan(1);
    }

    @Test
    void aCarriedStateIsReadAndWrittenAsTheEmbeddedEngineDoes() throws Exception {
        Path data = tmp.resolve("carried");
        new Generator(2, Generator.DEFAULT_CHUNK_ROWS).generate(data, 3000, 5);
        AuditRequest full = SparkBench.request(data, tmp.resolve("unused"));
        Instant mid = Instant.parse("2026-02-15T00:00:00Z"), end = Instant.parse("2026-02-16T00:00:00Z");
        Path[] runs = new Path[2];
        for (int engine = 0; engine < 2; engine++) {
            Path out = tmp.resolve("carried-out-" + engine);
            String url = SparkAudit.h2(tmp.resolve("carried-meta-" + engine));
            AuditRequest first = with(full, out, full.from(), mid);
            completed(run(engine == 1, first, url));
            AuditRequest second = with(full, out, mid, end);
            CarriedStates.Choice c = CarriedStates.choose(second);
            assertThat(c.stateId()).as("the first window left a state for the second: " + c.note()).isNotNull();
            runs[engine] = completed(run(engine == 1, second.withCarriedState(c.stateId()), url));
        }
        assertSameFolder("carried state", runs[0], runs[1]);
        String manifest = Files.readString(runs[1].resolve("manifest.json"));
        assertThat(manifest).contains("started_from");
    }

    private static AuditRequest with(AuditRequest r, Path out, Instant from, Instant to) {
        return new AuditRequest(r.events(), r.decisions(), r.policies(), out, from, to, r.asOf(), r.tolerance(), r.lateAfter(), r.failOn(),
                r.assumeZone(), r.customers());
    }

    private static SparkRatePass.Stats lastStats;
    private static Path lastRunDir;

    /** The models of the price versions the run's expectations applied (as-known or as-corrected). */
    private static java.util.Set<String> priceModels(Path data, Path runDir) {
        dev.attest.core.policy.PolicyRegistry registry = new dev.attest.core.policy.PolicyRegistry(
                dev.attest.io.policy.PolicyLoader.load(data.resolve("policies").toString()));
        java.util.Set<String> out = new java.util.TreeSet<>();
        try (dev.attest.io.duck.Duck duck = dev.attest.io.duck.Duck.inMemory()) {
            String file = dev.attest.io.duck.Duck.literal(runDir.resolve("expected.parquet").toString());
            for (Map<String, Object> r : duck.queryRows("SELECT DISTINCT price_policy_id AS p, price_version AS v FROM read_parquet(" + file
                    + ") WHERE price_policy_id IS NOT NULL UNION SELECT DISTINCT corrected_price_policy_id, corrected_price_version FROM read_parquet("
                    + file + ") WHERE corrected_price_policy_id IS NOT NULL"))
                registry.find((String) r.get("p"), ((Number) r.get("v")).intValue()).ifPresent(v -> out.add(v.rule().model()));
        }
        return out;
    }

    /** Audits {@code request} with both engines, each into its own out folder and run history; returns findings per code. */
    private static Map<String, Long> sameRunFolder(String what, AuditRequest request) throws Exception {
        Path[] dirs = new Path[2];
        for (int engine = 0; engine < 2; engine++) {
            Path out = tmp.resolve(what.replace(' ', '-') + "-out-" + engine);
            AuditRequest r = with(request, out, request.from(), request.to());
            dirs[engine] = completed(run(engine == 1, r, SparkAudit.h2(tmp.resolve(what.replace(' ', '-') + "-meta-" + engine))));
        }
        assertSameFolder(what, dirs[0], dirs[1]);
        lastRunDir = dirs[1];
        JsonNode findings = JsonMapper.builder().build().readTree(Files.readString(dirs[1].resolve("summary.json"))).path("findings");
        Map<String, Long> codes = new TreeMap<>();
        for (String name : findings.propertyNames()) codes.put(name, findings.get(name).asLong());
        return codes;
    }

    private static AuditOutcome run(boolean onSpark, AuditRequest request, String url) {
        if (onSpark) {
            SparkRatePass pass = new SparkRatePass(spark);
            dev.attest.jobs.audit.AuditEngine.install(pass);
            try (ConfigurableApplicationContext ctx = SparkBoot.start(url)) {
                return ctx.getBean(AuditLauncher.class).run(request);
            } finally {
                dev.attest.jobs.audit.AuditEngine.install(null);
                lastStats = pass.lastStats();
            }
        }
        try (ConfigurableApplicationContext ctx = SparkBoot.start(url)) {
            return ctx.getBean(AuditLauncher.class).run(request);
        }
    }

    private static Path completed(AuditOutcome o) {
        assertThat(o).as("audit outcome").isInstanceOf(AuditOutcome.Completed.class);
        return ((AuditOutcome.Completed) o).runDir();
    }

    /** Every file of the embedded run folder is in Spark's, with the same bytes; timing.json alone may differ. */
    static void assertSameFolder(String what, Path embedded, Path spark) throws Exception {
        assertThat(spark.getFileName()).as(what + ": run id").isEqualTo(embedded.getFileName());
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(embedded)) {
            files.forEach(p -> names.add(p.getFileName().toString()));
        }
        List<String> sparkNames = new ArrayList<>();
        try (Stream<Path> files = Files.list(spark)) {
            files.forEach(p -> sparkNames.add(p.getFileName().toString()));
        }
        assertThat(sparkNames).as(what + ": files").containsExactlyInAnyOrderElementsOf(names);
        int compared = 0;
        for (String name : names) {
            if (name.equals("timing.json")) continue;
            byte[] a = Files.readAllBytes(embedded.resolve(name)), b = Files.readAllBytes(spark.resolve(name));
            assertThat(Arrays.equals(a, b)).as(what + ": " + name + " differs between the embedded engine and Spark").isTrue();
            compared++;
        }
        System.out.println("SparkParityIT " + what + ": " + compared + " files identical (" + names + ")");
    }
}
