package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.io.duck.Duck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The bad-input corpus (src/test/resources/bad-input, issue 13): every entry is audited and held to its expected.json:
 * its exit status (never 3), the words its message must contain, and the exact rows quarantined (file, row, reason).
 * No stack trace ever reaches the console. -Dbadinput.record=true rewrites exit and quarantine from what happened (to
 * add an entry; review the diff).
 */
class BadInputCorpusIT {
    static final Path CORPUS = Path.of("src/test/resources/bad-input");
    static final String AS_OF = "2026-03-01T00:00:00Z";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    static Stream<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(CORPUS)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("_")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void auditsEachEntryAsItsExpectedJsonSays(String kind) throws Exception {
        Path entry = CORPUS.resolve(kind);
        JsonNode expected = JSON.readTree(Files.readString(entry.resolve("expected.json")));
        Path dir = Files.createDirectories(tmp.resolve(kind));
        copyTree(entry, dir);
        materialise(dir, expected);

        List<String> args = new ArrayList<>(List.of("audit", "--events", input(dir, "events"), "--decisions", input(dir, "decisions"),
                "--policies", Files.isDirectory(dir.resolve("policies")) ? dir.resolve("policies").toString()
                        : CORPUS.resolve("_base/policies").toString(),
                "--as-of", AS_OF, "--metadata", Metadata.h2(tmp.resolve("meta"))));
        List<String> extra = new ArrayList<>();
        expected.path("args").forEach(a -> extra.add(a.asText().replace("{dir}", dir.toString())));
        if (!extra.contains("--out")) args.addAll(List.of("--out", tmp.resolve("runs").toString()));
        args.addAll(extra);

        ScenarioIT.Run run = ScenarioIT.Run.of(args.toArray(String[]::new));
        String err = run.stderr();
        assertThat(run.exit()).as("never an internal failure: " + err).isNotEqualTo(3);
        assertNoStackTrace(err);
        List<Map<String, Object>> quarantined = run.exit() < 2 ? quarantine(Path.of(run.lastStdoutLine()), dir) : List.of();

        if (Boolean.getBoolean("badinput.record")) {
            ObjectNode rec = (ObjectNode) expected;
            rec.put("exit", run.exit());
            rec.set("quarantine", JSON.valueToTree(quarantined));
            Files.writeString(entry.resolve("expected.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rec) + "\n");
            System.out.println("RECORDED " + kind + " exit " + run.exit() + "\n" + err);
            return;
        }
        assertThat(run.exit()).as(err).isEqualTo(expected.path("exit").asInt());
        for (JsonNode word : expected.path("message")) assertThat(err).as("message").contains(word.asText());
        List<Map<String, Object>> want = new ArrayList<>();
        for (JsonNode q : expected.path("quarantine")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", q.path("file").asText());
            m.put("row", q.path("row").asLong());
            m.put("reason", q.path("reason").asText());
            want.add(m);
        }
        assertThat(quarantined).as("quarantined rows").isEqualTo(want);
        if (run.exit() < 2) {
            JsonNode summary = JSON.readTree(Path.of(run.lastStdoutLine()).resolve("summary.json").toFile());
            assertThat(summary.path("inputs").path("quarantined").asLong()).isEqualTo(want.size());
        }
    }

    static void assertNoStackTrace(String stderr) {
        assertThat(stderr).as("no stack trace on the console").doesNotContain("\tat ").doesNotContainPattern("(?m)^\\s+at [a-z]+\\.")
                .doesNotContain("Exception in thread").doesNotContain("Caused by:");
    }

    /** The entry's events/decisions file or folder, else the base one. */
    static String input(Path dir, String name) throws IOException {
        if (Files.isDirectory(dir.resolve(name))) return dir.resolve(name).toString();
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> own = s.filter(p -> p.getFileName().toString().startsWith(name + ".") && !p.toString().endsWith(".sql")).toList();
            if (!own.isEmpty()) return own.get(0).toString();
        }
        return CORPUS.resolve("_base").resolve(name + ".csv").toAbsolutePath().toString();
    }

    /** events.sql / decisions.sql become Parquet files (DuckDB COPY); then the entry's overwrite, if any, is applied. */
    static void materialise(Path dir, JsonNode expected) throws IOException {
        for (String name : List.of("events", "decisions")) {
            Path sql = dir.resolve(name + ".sql");
            if (!Files.exists(sql)) continue;
            try (Duck duck = Duck.inMemory()) {
                duck.execute("COPY (" + Files.readString(sql) + ") TO " + Duck.literal(dir.resolve(name + ".parquet").toString()) + " (FORMAT parquet)");
            }
            Files.delete(sql);
        }
        JsonNode ow = expected.path("overwrite");
        if (!ow.isMissingNode()) {
            Path f = dir.resolve(ow.path("file").asText());
            byte[] bytes = Files.readAllBytes(f);
            byte[] patch = HexFormat.of().parseHex(ow.path("hex").asText());
            int at = ow.has("from_end") ? bytes.length - ow.path("from_end").asInt() : ow.path("offset").asInt();
            System.arraycopy(patch, 0, bytes, at, patch.length);
            Files.write(f, bytes);
        }
    }

    /** quarantine.csv's rows as file (relative to the entry), row and reason, in file order. */
    static List<Map<String, Object>> quarantine(Path runDir, Path dir) {
        List<Map<String, Object>> out = new ArrayList<>();
        Path csv = runDir.resolve("quarantine.csv");
        if (!Files.exists(csv)) return out;
        try (Duck duck = Duck.inMemory()) {
            for (Map<String, Object> r : duck.queryRows("SELECT src_file, CAST(src_row AS BIGINT) AS src_row, reason FROM read_csv("
                    + Duck.literal(csv.toString()) + ", all_varchar=true, header=true, auto_detect=true)")) {
                Map<String, Object> m = new LinkedHashMap<>();
                String file = String.valueOf(r.get("src_file"));
                Path p = Path.of(file);
                m.put("file", p.isAbsolute() && p.startsWith(dir) ? dir.relativize(p).toString() : p.getFileName().toString());
                m.put("row", ((Number) r.get("src_row")).longValue());
                m.put("reason", r.get("reason"));
                out.add(m);
            }
        }
        return out;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            s.forEach(p -> {
                try {
                    Path t = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(t);
                    else if (!p.getFileName().toString().equals("expected.json")) Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
