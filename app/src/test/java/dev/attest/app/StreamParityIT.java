package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.FindingCode;
import dev.attest.generator.Generator;
import dev.attest.stream.Feed;
import dev.attest.stream.KafkaBroker;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Parity with batch (issue 17): the generator's data, with faults of every finding code, all arriving within the hold,
 * audited once by `attest audit` and once by `attest stream` through a real broker. The stream's settled findings must be
 * the batch audit's, finding for finding: fingerprint, code, event, decision, amounts, money, billing period, severity and explanation.
 */
class StreamParityIT {
    static final int EVENTS = Integer.getInteger("attest.stream.events", 3000);

    @Test
    void streamSettledFindingsEqualTheBatchAuditsFindingForFinding(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        new Generator(1, Generator.DEFAULT_CHUNK_ROWS).generate(data, EVENTS, 5);
        GeneratedData generated = GeneratedData.read(data);
        ScenarioIT.Run batch = ScenarioIT.Run.of(generated.auditArguments(tmp.resolve("runs"), Metadata.h2(tmp.resolve("meta"))).toArray(String[]::new));
        assertThat(batch.exit()).as(batch.stderr()).isEqualTo(1);
        List<String> batchFindings = batchFindings(Path.of(batch.lastStdoutLine()));

        try (KafkaBroker broker = KafkaBroker.start(tmp.resolve("broker"))) {
            String b = broker.bootstrap();
            Feed.createTopics(b, 2, "p.events", "p.decisions");
            Feed.publish(b, "p.events", Feed.events(data));
            Feed.publish(b, "p.decisions", Feed.decisions(data));
            ScenarioIT.Run stream = ScenarioIT.Run.of("stream", "--bootstrap-servers", b, "--events-topic", "p.events", "--decisions-topic", "p.decisions",
                    "--verdicts-topic", "p.verdicts", "--findings-topic", "p.findings", "--dead-letter-topic", "p.dlq", "--group-id", "parity",
                    "--policies", data.resolve("policies").toString(), "--customers", generated.customers(), "--late-after", "PT1H",
                    "--hold", "PT12H", "--idle", "2s", "--exit-when-idle", "3s", "--out", tmp.resolve("stream-out").toString(),
                    "--metadata", Metadata.h2(tmp.resolve("meta")));
            assertThat(stream.exit()).as(stream.stderr()).isZero();
            List<String> streamFindings = new ArrayList<>();
            for (ConsumerRecord<String, String> r : Feed.readCommitted(b, "p.findings")) {
                JsonNode f = Feed.JSON.readTree(r.value());
                streamFindings.add(String.join("|", f.get("fingerprint").asString(), f.get("code").asString(), text(f, "event_id"), text(f, "decision_id"),
                        num(text(f, "expected_amount")), num(text(f, "actual_amount")), num(text(f, "difference")), num(text(f, "money_effect")),
                        text(f, "billing_period"), text(f, "severity"), text(f, "money_class"), text(f, "explanation")));
            }
            streamFindings.sort(null);
            assertThat(streamFindings).as("stream vs batch").containsExactlyElementsOf(batchFindings);
            assertThat(Feed.readCommitted(b, "p.dlq")).as("all data came within the hold").isEmpty();
            assertThat(batchFindings.stream().map(l -> l.split("\\|")[1]).distinct())
                    .containsExactlyInAnyOrderElementsOf(Arrays.stream(FindingCode.values()).filter(FindingCode::inContract).map(Enum::name).toList());
            System.err.println("stream-vs-batch: " + streamFindings.size() + " stream findings, " + batchFindings.size() + " batch findings, equal");
        }
    }

    static List<String> batchFindings(Path run) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT fingerprint, code, coalesce(event_id, ''), coalesce(decision_id, ''), CAST(expected_amount AS VARCHAR), "
                     + "CAST(actual_amount AS VARCHAR), CAST(difference AS VARCHAR), CAST(money_effect AS VARCHAR), coalesce(billing_period, ''), severity, coalesce(money_class, ''), explanation FROM read_parquet('"
                     + run.resolve("findings.parquet") + "')")) {
            while (rs.next())
                out.add(String.join("|", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), num(rs.getString(5)), num(rs.getString(6)),
                        num(rs.getString(7)), num(rs.getString(8)), rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12)));
        }
        out.sort(null);
        return out;
    }

    static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asString() : "";
    }

    /** Amounts compare as numbers (1.00 = 1.000000000). */
    static String num(String s) {
        return s == null || s.isEmpty() ? "" : new BigDecimal(s).stripTrailingZeros().toPlainString();
    }
}
