package dev.attest.stream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * What {@code attest stream} was asked to do.
 *
 * @param stateTopic     the compacted topic of per-customer checkpoints (written in the same transaction as the verdicts)
 * @param nightlyState   an audit output folder whose newest carried state seeds the stream (null: none)
 * @param out            where settled findings roll into hourly files (null: none)
 * @param metadataUrl    the metadata database whose finding history receives each settled hour (null: none)
 * @param exitWhenIdle   stop (exit 0) after this long with nothing read and nothing pending (null: run until stopped)
 * @param commitInterval the least time from one transaction's start to the next's (zero: one per poll); what is read
 *                       meanwhile goes with the next transaction
 */
public record StreamOptions(String bootstrapServers, String eventsTopic, String decisionsTopic, String verdictsTopic, String findingsTopic,
                            String deadLetterTopic, String stateTopic, String groupId, String policies, String customers, String checks,
                            Path nightlyState, Path out, Duration hold, Duration idle, Duration lateAfter, java.math.BigDecimal tolerance,
                            Map<String, String> eventsMap, Map<String, String> decisionsMap, Properties kafka, Duration exitWhenIdle,
                            String metadataUrl, Duration commitInterval) {
    /** The default --commit-interval (see docs/stream.md, "Sixth round"). */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(Long.getLong("attest.stream.commitIntervalMs", 0));

    public StreamOptions {
        if (bootstrapServers == null || bootstrapServers.isBlank()) throw new IllegalArgumentException("--bootstrap-servers is required");
        if (policies == null) throw new IllegalArgumentException("--policies is required");
        if (groupId == null || groupId.isBlank()) throw new IllegalArgumentException("--group-id must not be empty");
        if (hold == null || hold.isNegative()) throw new IllegalArgumentException("--hold must be a duration >= 0");
        if (idle == null || idle.isNegative()) throw new IllegalArgumentException("--idle must be a duration >= 0");
        if (commitInterval == null) commitInterval = DEFAULT_COMMIT_INTERVAL;
        if (commitInterval.isNegative() || commitInterval.compareTo(Duration.ofSeconds(10)) > 0)
            throw new IllegalArgumentException("--commit-interval must be a duration from 0 to 10 s");
        eventsMap = eventsMap == null ? Map.of() : Map.copyOf(eventsMap);
        decisionsMap = decisionsMap == null ? Map.of() : Map.copyOf(decisionsMap);
        Properties p = new Properties();
        if (kafka != null) p.putAll(kafka);
        kafka = p;
    }
}
