package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Audits each folder under src/test/resources/scenarios through the real command line (DuckDB, Parquet,
 * an H2 run history) and compares the findings with the folder's expected.csv, as a multiset of
 * (code, event_id, decision_id). Each folder's README says which rule of the spec it exercises.
 */
class ScenarioIT {
    static final Path SCENARIOS = Path.of("src/test/resources/scenarios");

    static Stream<String> scenarios() throws IOException {
        try (Stream<Path> dirs = Files.list(SCENARIOS)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void auditFindsExactlyTheExpectedFindings(String name, @TempDir Path tmp) throws Exception {
        Path dir = SCENARIOS.resolve(name);
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve("params.properties"))) {
            p.load(in);
        }
        List<String> args = new ArrayList<>(List.of("audit",
                "--events", dir.resolve(p.getProperty("events", "events.csv")).toString(),
                "--decisions", dir.resolve(p.getProperty("decisions", "decisions.csv")).toString(),
                "--policies", dir.resolve(p.getProperty("policies", "policies")).toString(),
                "--out", tmp.resolve("runs").toString(),
                "--metadata", Metadata.h2(tmp.resolve("meta"))));
        if (p.getProperty("customers") != null) args.addAll(List.of("--customers", dir.resolve(p.getProperty("customers")).toString()));
        for (String opt : List.of("from", "to", "as_of", "late_after", "tolerance", "assume_zone")) {
            if (p.getProperty(opt) != null) {
                args.add("--" + opt.replace('_', '-'));
                args.add(p.getProperty(opt));
            }
        }
        Run run = Run.of(args.toArray(String[]::new));

        List<String> expected = Files.readAllLines(dir.resolve("expected.csv")).stream().skip(1).filter(l -> !l.isBlank())
                .map(ScenarioIT::normalise).sorted().toList();
        Path runDir = Path.of(run.lastStdoutLine());
        assertThat(runDir).isDirectory();
        assertThat(findings(runDir)).as("findings of " + name + "\n" + run.stderr).containsExactlyElementsOf(expected);
        boolean failing = expected.stream().anyMatch(l -> !l.startsWith("RETROACTIVE_CORRECTION") && !l.startsWith("ROUNDING_DIFFERENCE")
                && !l.startsWith("LATE_DECISION") && !l.startsWith("MISSING_RULE_REF") && !l.startsWith("UNLINKED_DECISION"));
        assertThat(run.exit).as("exit status").isEqualTo(failing ? 1 : 0);
    }

    static String normalise(String csvLine) {
        String[] f = (csvLine + ",,").split(",", -1);
        return f[0] + "," + f[1] + "," + f[2];
    }

    static List<String> findings(Path runDir) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT code, coalesce(event_id, ''), coalesce(decision_id, '') FROM read_parquet('"
                     + runDir.resolve("findings.parquet") + "') ORDER BY ALL")) {
            while (rs.next()) out.add(rs.getString(1) + "," + rs.getString(2) + "," + rs.getString(3));
        }
        return out.stream().sorted().toList();
    }

    /** One in-process run of the command line, with its streams captured. */
    record Run(int exit, String stdout, String stderr) {
        static synchronized Run of(String... args) {
            PrintStream out = System.out;
            PrintStream err = System.err;
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            try {
                System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
                int exit = Main.execute(args);
                return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
        }

        String lastStdoutLine() {
            String[] lines = stdout.strip().split("\n");
            return lines[lines.length - 1];
        }
    }
}
