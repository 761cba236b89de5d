package dev.attest.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.live.CustomerSnapshot;
import dev.attest.core.live.LiveEvent;
import dev.attest.core.rating.PeriodState;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessagesTest {
    @Test
    void eventsReadExactDecimalsInstantsWithOffsetsAndDimensionsAsObjectOrText() throws Exception {
        LiveEvent e = Messages.event("{\"event_id\":\"e1\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":0.1,\"event_time\":\"2026-01-05T11:00:00+01:00\","
                + "\"value\":\"12.345\",\"dimensions\":\"{\\\"region\\\":\\\"eu\\\"}\",\"extra\":true}", Map.of());
        assertThat(e.event().quantity()).isEqualTo(new BigDecimal("0.1"));
        assertThat(e.event().eventTime()).isEqualTo(Instant.parse("2026-01-05T10:00:00Z"));
        assertThat(e.event().dimensions()).isEqualTo(Map.of("region", "eu"));
        LiveEvent mapped = Messages.event("{\"id\":\"e1\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":\"1\",\"ts\":\"2026-01-05T10:00:00Z\"}",
                Messages.fieldMap("{\"id\":\"event_id\",\"ts\":\"event_time\"}"));
        assertThat(mapped.eventId()).isEqualTo("e1");
    }

    @Test
    void badMessagesSayWhy() {
        assertThatThrownBy(() -> Messages.event("{", Map.of())).hasMessageStartingWith("unparsable JSON");
        assertThatThrownBy(() -> Messages.event("[1]", Map.of())).hasMessage("not a JSON object");
        assertThatThrownBy(() -> Messages.event("{\"event_id\":\"e\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":\"-1\",\"event_time\":\"2026-01-05T10:00:00Z\"}",
                Map.of())).hasMessage("quantity must be >= 0, got -1");
        assertThatThrownBy(() -> Messages.event("{\"event_id\":\"e\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":1,\"event_time\":\"2026-01-05T10:00:00\"}",
                Map.of())).hasMessageContaining("is not an instant with an offset");
        assertThatThrownBy(() -> Messages.decision("{\"decision_id\":\"d\",\"customer_id\":\"c\",\"meter\":\"m\",\"outcome\":\"charged\",\"amount\":true,"
                + "\"currency\":\"EUR\",\"decided_at\":\"2026-01-05T10:00:00Z\"}", Map.of())).hasMessage("amount: expected a decimal, got boolean");
        assertThatThrownBy(() -> Messages.decision("{\"decision_id\":\"d\",\"customer_id\":\"c\",\"meter\":\"m\",\"outcome\":\"maybe\",\"amount\":1,"
                + "\"currency\":\"EUR\",\"decided_at\":\"2026-01-05T10:00:00Z\"}", Map.of())).hasMessageContaining("charged or denied");
    }

    /** The fast reading of UTC instants gives what OffsetDateTime.parse gives, and leaves every other shape to it. */
    @Test
    void utcInstantsReadAsOffsetDateTimeReadsThem() {
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(rnd.nextLong(-2_000_000_000L, 4_000_000_000L), rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(1_000_000_000));
            String s = t.toString(); // ISO_INSTANT: 0, 3, 6 or 9 fraction digits
            assertThat(Messages.utcInstant(s)).as(s).isEqualTo(java.time.OffsetDateTime.parse(s).toInstant());
            String shorter = s.replaceAll("(\\.\\d{1,8})\\d*Z$", "$1Z"); // other fraction lengths
            assertThat(Messages.utcInstant(shorter)).as(shorter).isEqualTo(java.time.OffsetDateTime.parse(shorter).toInstant());
        }
        for (String s : List.of("2024-02-29T23:59:59.1Z", "2026-12-31T00:00:00Z", "0001-01-01T00:00:00Z", "2026-01-05T10:00:00.000000001Z"))
            assertThat(Messages.utcInstant(s)).as(s).isEqualTo(java.time.OffsetDateTime.parse(s).toInstant());
        for (String s : List.of("2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:59:60Z", "2026-01-01T10:00:00.Z",
                "2026-01-01T10:00:00+01:00", "2026-01-01 10:00:00Z", "2026-01-01T10:00Z", "2026-01-01T10:00:00.1234567890Z", "+12026-01-01T10:00:00Z",
                "2026-01-01T10:00:00z", "2026-0a-01T10:00:00Z"))
            assertThat(Messages.utcInstant(s)).as(s).isNull();
    }

    @Test
    void instantsAreWrittenAsInstantToStringWritesThem() {
        java.util.Random rnd = new java.util.Random(11);
        List<Instant> ts = new java.util.ArrayList<>(List.of(Instant.EPOCH, Instant.MIN, Instant.MAX, Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("-0001-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("2024-02-29T12:00:00.100Z"), Instant.parse("2000-03-01T00:00:00.000001Z"), Instant.parse("1969-12-31T23:59:59.999999999Z")));
        for (int i = 0; i < 50_000; i++) {
            int nano = switch (rnd.nextInt(4)) {
                case 0 -> 0;
                case 1 -> rnd.nextInt(1000) * 1_000_000;
                case 2 -> rnd.nextInt(1_000_000) * 1000;
                default -> rnd.nextInt(1_000_000_000);
            };
            ts.add(Instant.ofEpochSecond(rnd.nextLong(-62_200_000_000L, 253_500_000_000L), nano));
        }
        for (Instant t : ts) {
            assertThat(InstantText.of(t)).as(t.toString()).isEqualTo(t.toString());
            assertThat(Messages.JSON.writeValueAsString(t)).isEqualTo("\"" + t + "\"");
        }
        assertThat(Messages.JSON.writeValueAsString(new CustomerSnapshot.Position(Instant.parse("2026-01-05T10:00:00.5Z"), "e1")))
                .isEqualTo("{\"eventTime\":\"2026-01-05T10:00:00.500Z\",\"eventId\":\"e1\"}");
    }

    /** A verdict is written field by field; it must be the text the object tree gave (readers and golden files hold it). */
    @Test
    void aVerdictIsTheJsonItsObjectTreeWas() {
        java.util.Random rnd = new java.util.Random(5);
        String[] texts = {null, "", "v-1", "naïve \"quoted\" \\ back", "tab\tnew\nline\u0001", "日本", "\u2028"};
        for (int i = 0; i < 2_000; i++) {
            dev.attest.core.live.Verdict.Status status = dev.attest.core.live.Verdict.Status.values()[rnd.nextInt(3)];
            boolean settled = status != dev.attest.core.live.Verdict.Status.PROVISIONAL && rnd.nextBoolean();
            List<String> codes = status == dev.attest.core.live.Verdict.Status.OK ? List.of() : rnd.nextBoolean() ? List.of("AMOUNT_MISMATCH") : List.of("A", texts[3]);
            BigDecimal[] amounts = {null, new BigDecimal("12.3400"), new BigDecimal("-0.01"), new BigDecimal("1E+3")};
            var v = new dev.attest.core.live.Verdict("#" + i, "d" + i, texts[rnd.nextInt(texts.length)], texts[2 + rnd.nextInt(texts.length - 2)],
                    texts[rnd.nextInt(texts.length)], "2026-01", status, codes, amounts[rnd.nextInt(4)], amounts[rnd.nextInt(4)], texts[rnd.nextInt(3)],
                    amounts[rnd.nextInt(4)], texts[rnd.nextInt(texts.length)], texts[rnd.nextInt(texts.length)], texts[rnd.nextInt(texts.length)],
                    rnd.nextBoolean() ? null : Instant.ofEpochSecond(1_700_000_000L + rnd.nextInt(100_000_000), rnd.nextInt(3) * 250_000_000),
                    texts[rnd.nextInt(texts.length)], settled);
            Instant emitted = Instant.ofEpochSecond(1_800_000_000L, rnd.nextInt(1_000_000_000));
            assertThat(Messages.verdict(v, emitted)).isEqualTo(asTree(v, emitted));
        }
    }

    /** The verdict as the object tree wrote it before it was written field by field. */
    private static String asTree(dev.attest.core.live.Verdict v, Instant emittedAt) {
        tools.jackson.databind.node.ObjectNode o = Messages.JSON.createObjectNode();
        o.put("verdict_id", v.verdictId());
        o.put("decision_id", v.decisionId());
        o.put("event_id", v.eventId());
        o.put("customer_id", v.customerId());
        o.put("meter", v.meter());
        o.put("billing_period", v.billingPeriod());
        o.put("status", v.status().wire());
        tools.jackson.databind.node.ArrayNode codes = o.putArray("codes");
        v.codes().forEach(codes::add);
        o.put("expected_amount", v.expectedAmount() == null ? null : v.expectedAmount().toPlainString());
        o.put("actual_amount", v.actualAmount() == null ? null : v.actualAmount().toPlainString());
        o.put("currency", v.currency());
        o.put("money_effect", v.moneyEffect() == null ? null : v.moneyEffect().toPlainString());
        o.put("version_as_known", v.versionAsKnown());
        o.put("version_as_corrected", v.versionAsCorrected());
        o.put("version_applied", v.versionApplied());
        o.put("decided_at", v.decidedAt() == null ? null : v.decidedAt().toString());
        o.put("supersedes", v.supersedes());
        o.put("settled", v.settled());
        o.put("emitted_at", emittedAt.toString());
        return o.toString();
    }

    /** Compaction keeps the last row of a key byte for byte: the fast key must be exactly what Jackson writes, as earlier versions did. */
    @Test
    void checkpointKeysAreTheJsonArraysJacksonWrites() {
        String[][] cases = {{"e", "cust-1", "evt-9"}, {"p", "c", "api_calls", "2026-01-01T00:00:00Z"}, {"h", "c"}, {"e", "c\"q", "x"},
                {"e", "c", "back\\slash"}, {"e", "c", "tab\tnew\nline"}, {"e", "c", "caf\u00e9"}, {"e", "c", "\u007f"}, {"d", "c", ""}};
        for (String[] k : cases) {
            String[] ids = java.util.Arrays.copyOfRange(k, 2, k.length);
            List<String> all = new java.util.ArrayList<>(List.of(k));
            assertThat(CheckpointRows.key(k[0], k[1], ids)).as(String.join("|", k)).isEqualTo(Messages.JSON.writeValueAsString(all));
        }
    }

    @Test
    void aCheckpointReadsBackAsItWasWritten() throws Exception {
        LiveEvent e = Messages.event("{\"event_id\":\"e1\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":\"1.500000000\",\"event_time\":\"2026-01-05T10:00:00Z\","
                + "\"dimensions\":{\"r\":\"eu\"}}", Map.of());
        DecisionRecord d = Messages.decision("{\"decision_id\":\"d\",\"event_id\":\"e1\",\"customer_id\":\"c\",\"meter\":\"m\",\"outcome\":\"charged\",\"amount\":\"0.10\","
                + "\"currency\":\"EUR\",\"price_policy_id\":\"p\",\"price_version\":2,\"decided_at\":\"2026-01-05T10:00:01Z\"}", Map.of());
        CustomerSnapshot s = new CustomerSnapshot("c", List.of(new CustomerSnapshot.EventRow(e, "PENDING", 2, List.of(e), "m", Instant.parse("2026-01-01T00:00:00Z"))),
                List.of(d), List.of(new CustomerSnapshot.PartRow("m", Instant.parse("2026-01-01T00:00:00Z"), new PeriodState(new BigDecimal("3.5"), false,
                        new BigDecimal("3.5"), true), null, Instant.parse("2026-01-05T10:00:00Z"), Instant.now(), List.of("e1"), false)),
                List.of(new CustomerSnapshot.MarkRow("d", "e1", 1, "x", false, false, false)), null, d.decidedAt(), Instant.now(), null, 0, 1);
        assertThat(Messages.snapshot(Messages.snapshot(s))).isEqualTo(s);

        // As rows keyed per part of the state: the latest of each key, tombstones removing theirs, give the customer back.
        CheckpointRows.Reader rows = new CheckpointRows.Reader();
        LiveEvent gone = Messages.event("{\"event_id\":\"e|0\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":1,\"event_time\":\"2026-01-05T09:00:00Z\"}", Map.of());
        CheckpointRows.write(new CustomerSnapshot.Changes(s.head(), Map.of("e|0", new CustomerSnapshot.EventRow(gone, "SETTLED", 1, List.of(gone), "m",
                Instant.parse("2026-01-01T00:00:00Z"))), Map.of(), List.of(), Map.of()), rows::add);
        java.util.Map<String, CustomerSnapshot.EventRow> events = new java.util.HashMap<>();
        events.put("e1", s.events().get(0));
        events.put("e|0", null);
        java.util.Map<String, List<DecisionRecord>> decisions = new java.util.HashMap<>(Map.of("e1", List.of(d)));
        CheckpointRows.write(new CustomerSnapshot.Changes(s.head(), events, decisions, List.of(s.parts().get(0)), Map.of("d", s.verdicts().get(0))),
                rows::add);
        assertThat(rows.snapshots()).containsExactly(s);

        // Rows are arrays without field names; rows an earlier version wrote as objects read back the same.
        Map<String, String> written = new java.util.LinkedHashMap<>();
        CheckpointRows.write(new CustomerSnapshot.Changes(s.head(), Map.of("e1", s.events().get(0)), Map.of("e1", List.of(d)), List.of(s.parts().get(0)),
                Map.of("d", s.verdicts().get(0))), written::put);
        written.forEach((k, v) -> {
            if (!k.startsWith("[\"h\"")) assertThat(v).as(k).startsWith("[").doesNotContain("\"eventId\"", "\"decisionId\"", "\"seed\"");
        });
        CheckpointRows.Reader old = new CheckpointRows.Reader();
        old.add(CheckpointRows.key("h", "c"), Messages.snapshot(s.head()));
        old.add(CheckpointRows.key("e", "c", "e1"), Messages.JSON.writeValueAsString(s.events().get(0)));
        old.add(CheckpointRows.key("d", "c", "e1"), Messages.JSON.writeValueAsString(new DecisionRecord[] {d}));
        CustomerSnapshot.PartRow part = s.parts().get(0);
        old.add(CheckpointRows.key("p", "c", part.meter(), part.periodStart().toString()), Messages.JSON.writeValueAsString(part));
        old.add(CheckpointRows.key("v", "c", "d"), Messages.JSON.writeValueAsString(s.verdicts().get(0)));
        assertThat(old.snapshots()).containsExactly(s);
        CheckpointRows.Reader now = new CheckpointRows.Reader();
        written.forEach(now::add);
        assertThat(now.snapshots()).containsExactly(s);
    }
    /**
     * Settling writes the part's row with the last event it took, not each event's row again: a row that still says pending
     * and is at or before that position reads back settled, one after it stays pending. A part row as the previous version
     * wrote it (an array without the position) reads with none.
     */
    @Test
    void aPartsSettledThroughPositionSettlesItsEarlierPendingRows() throws Exception {
        Instant month = Instant.parse("2026-01-01T00:00:00Z");
        List<LiveEvent> held = List.of(event("z", "2026-01-05T09:59:00Z"), event("b", "2026-01-05T10:00:00Z"), event("c", "2026-01-05T10:00:00Z"),
                event("a", "2026-01-05T10:01:00Z"));
        PeriodState seed = new PeriodState(new BigDecimal("2"), false, new BigDecimal("2"), true);
        // By event_time, then event_id: b is the last event settled.
        CustomerSnapshot.PartRow part = new CustomerSnapshot.PartRow("m", month, seed, Instant.parse("2026-01-05T10:00:01Z"),
                Instant.parse("2026-01-05T10:00:00Z"), Instant.parse("2026-01-05T10:00:02Z"), List.of(), false,
                new CustomerSnapshot.Position(Instant.parse("2026-01-05T10:00:00Z"), "b"));
        CustomerSnapshot head = new CustomerSnapshot("c", List.of(), List.of(), List.of(), List.of(), null, null, null, null, 0, 0);
        CheckpointRows.Reader rows = new CheckpointRows.Reader();
        java.util.Map<String, CustomerSnapshot.EventRow> events = new java.util.LinkedHashMap<>();
        for (LiveEvent e : held) events.put(e.eventId(), new CustomerSnapshot.EventRow(e, "PENDING", 1, List.of(e), "m", month));
        CheckpointRows.write(new CustomerSnapshot.Changes(head, events, Map.of(), List.of(part), Map.of()), rows::add);
        java.util.Map<String, String> state = new java.util.HashMap<>();
        for (CustomerSnapshot.EventRow r : rows.snapshots().get(0).events()) state.put(r.first().eventId(), r.state());
        assertThat(state).containsExactlyInAnyOrderEntriesOf(Map.of("z", "SETTLED", "b", "SETTLED", "c", "PENDING", "a", "PENDING"));
        assertThat(rows.snapshots().get(0).parts()).containsExactly(part);

        CustomerSnapshot.PartRow before = new CustomerSnapshot.PartRow("m", month, seed, part.watermark(), part.maxEventTime(), part.lastArrival(),
                List.of(), false);
        String written = CheckpointRows.ROWS.writeValueAsString(before);
        assertThat(written).endsWith(",false,null]");
        String previous = written.substring(0, written.length() - ",null]".length()) + "]";
        CheckpointRows.Reader old = new CheckpointRows.Reader();
        old.add(CheckpointRows.key("h", "c"), Messages.snapshot(head));
        old.add(CheckpointRows.key("e", "c", "b"), CheckpointRows.ROWS.writeValueAsString(events.get("b")));
        old.add(CheckpointRows.key("p", "c", "m", month.toString()), previous);
        assertThat(old.snapshots().get(0).parts()).containsExactly(before);
        assertThat(old.snapshots().get(0).events().get(0).state()).isEqualTo("PENDING");
    }

    private static LiveEvent event(String id, String time) throws Messages.BadMessage {
        return Messages.event("{\"event_id\":\"" + id + "\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":1,\"event_time\":\"" + time + "\"}",
                Map.of());
    }
}
