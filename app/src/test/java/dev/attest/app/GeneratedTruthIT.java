package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.FindingCode;
import dev.attest.generator.Generator;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generator injects faults of every finding code and writes the findings they must cause; the audit,
 * with the parameters the truth assumes, must find every one of them and nothing else.
 */
class GeneratedTruthIT {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void auditFindsEveryInjectedFaultAndNothingElse(long seed, @TempDir Path tmp) throws Exception {
        new Generator().generate(tmp.resolve("data"), 15_000, seed);
        GeneratedData data = GeneratedData.read(tmp.resolve("data"));
        List<String> args = data.auditArguments(tmp.resolve("runs"), Metadata.h2(tmp.resolve("meta")));
        ScenarioIT.Run run = ScenarioIT.Run.of(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);

        List<String> expected = data.expectedFindings();
        assertThat(expected.stream().map(l -> l.substring(0, l.indexOf(','))).distinct())
                .as("the truth covers every code").containsExactlyInAnyOrderElementsOf(Arrays.stream(FindingCode.values()).filter(FindingCode::inContract).map(Enum::name).toList());
        assertThat(ScenarioIT.findings(Path.of(run.lastStdoutLine()))).containsExactlyElementsOf(expected);
    }
}
