package dev.attest.generator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tiny and chunked datasets: the truth stays exact whatever the size and however the files are split. */
class GeneratorSizesTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(longs = {1, 57, 250, 1_999, 4_321})
    void anySizeHasAnExactTruth(long events) throws IOException {
        Path dir = tmp.resolve("n" + events);
        GenerationResult r = new Generator().generate(dir, events, 99);
        Dataset d = Dataset.read(dir);
        assertThat(d.events().stream().map(Dataset.EventRow::eventId).distinct().count()).isEqualTo(events);
        assertThat(MiniAudit.run(d, Scenario.FROM, Scenario.TO, Scenario.AS_OF, BigDecimal.ZERO, Duration.ofHours(1)))
                .containsExactlyElementsOf(GeneratorTest.truthKeys(d.truth()));
        if (events >= 250) assertThat(r.expectedFindings().values()).allMatch(n -> n >= 1); // one fault of each kind at least
    }

    @Test
    void largeOutputsAreSplitIntoSeveralFilesWithTheSameRows() throws IOException {
        GenerationResult split = new Generator(2, 3_000).generate(tmp.resolve("split"), 12_000, 4);
        GenerationResult whole = new Generator().generate(tmp.resolve("whole"), 12_000, 4);
        assertThat(split.eventFiles()).hasSizeGreaterThanOrEqualTo(4);
        assertThat(split.eventFiles().get(0).getFileName().toString()).isEqualTo("events-00000.parquet");
        assertThat(split.decisionFiles()).hasSizeGreaterThanOrEqualTo(4);
        assertThat(whole.eventFiles()).hasSize(1);
        assertThat(Files.readString(split.truthFile())).isEqualTo(Files.readString(whole.truthFile()));
        assertThat(GeneratorDeterminismTest.fingerprint(tmp.resolve("split/events")).split(":")[0])
                .isEqualTo(GeneratorDeterminismTest.fingerprint(tmp.resolve("whole/events")).split(":")[0]);
        Dataset d = Dataset.read(tmp.resolve("split"));
        assertThat(MiniAudit.run(d, Scenario.FROM, Scenario.TO, Scenario.AS_OF, BigDecimal.ZERO, Duration.ofHours(1)))
                .containsExactlyElementsOf(GeneratorTest.truthKeys(d.truth()));
    }
}
