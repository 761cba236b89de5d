package dev.attest.generator;

import dev.attest.core.findings.FindingCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@link Generator#generate} wrote.
 *
 * @param events           distinct usage events (event_ids)
 * @param eventRows        rows of the events files: events plus re-deliveries (identical and conflicting)
 * @param decisions        rows of the decisions files
 * @param faults           injected faults, one per entry of truth.json's {@code faults}
 * @param expectedFindings the findings an audit with truth.json's parameters must report, by code (every code present)
 */
public record GenerationResult(Path outDir, long seed, long events, long eventRows, long decisions, int policies, int policyVersions,
                               long faults, Map<FindingCode, Long> expectedFindings, List<Path> eventFiles,
                               List<Path> decisionFiles, Path policiesDir, Path truthFile, Duration elapsed) {
    public GenerationResult {
        expectedFindings = Map.copyOf(expectedFindings);
        eventFiles = List.copyOf(eventFiles);
        decisionFiles = List.copyOf(decisionFiles);
    }

    public long expectedFindingCount() {
        return expectedFindings.values().stream().mapToLong(Long::longValue).sum();
    }
}
