package dev.attest.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.io.duck.Duck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorDeterminismTest {
    @TempDir
    Path tmp;

    @Test
    void theSameSeedGivesTheSameFiles() throws IOException {
        // different thread counts: the output must not depend on scheduling
        GenerationResult a = new Generator(1, Generator.DEFAULT_CHUNK_ROWS).generate(tmp.resolve("a"), 20_000, 5);
        GenerationResult b = new Generator(3, Generator.DEFAULT_CHUNK_ROWS).generate(tmp.resolve("b"), 20_000, 5);

        assertThat(Files.readAllBytes(a.truthFile())).isEqualTo(Files.readAllBytes(b.truthFile()));
        assertThat(Files.readAllBytes(tmp.resolve("a").resolve(Generator.CUSTOMERS_FILE)))
                .isEqualTo(Files.readAllBytes(tmp.resolve("b").resolve(Generator.CUSTOMERS_FILE)));
        assertThat(a.eventRows()).isEqualTo(b.eventRows());
        assertThat(a.decisions()).isEqualTo(b.decisions());
        assertThat(a.expectedFindings()).isEqualTo(b.expectedFindings());
        assertThat(fingerprint(tmp.resolve("a/events"))).isEqualTo(fingerprint(tmp.resolve("b/events")));
        assertThat(fingerprint(tmp.resolve("a/decisions"))).isEqualTo(fingerprint(tmp.resolve("b/decisions")));
        List<Path> policies = list(tmp.resolve("a/policies"));
        assertThat(policies).hasSizeGreaterThan(10);
        for (Path p : policies)
            assertThat(Files.readString(p)).isEqualTo(Files.readString(tmp.resolve("b/policies").resolve(p.getFileName())));
    }

    @Test
    void anotherSeedGivesOtherData() throws IOException {
        GenerationResult a = new Generator().generate(tmp.resolve("a"), 5_000, 1);
        GenerationResult b = new Generator().generate(tmp.resolve("b"), 5_000, 2);
        assertThat(Files.readString(a.truthFile())).isNotEqualTo(Files.readString(b.truthFile()));
        assertThat(fingerprint(tmp.resolve("a/events"))).isNotEqualTo(fingerprint(tmp.resolve("b/events")));
    }

    /** Row count and an order-sensitive digest of every row's text. */
    static String fingerprint(Path dir) {
        try (Duck duck = Duck.inMemory()) {
            return duck.queryString("SELECT count(*) || ':' || md5(string_agg(t::VARCHAR, '\\n' ORDER BY f, r)) FROM "
                    + "(SELECT parse_filename(filename) AS f, file_row_number AS r, COLUMNS(* EXCLUDE (filename, file_row_number)) FROM read_parquet("
                    + Duck.literal(dir + "/*.parquet") + ", filename = true, file_row_number = true)) t");
        }
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
