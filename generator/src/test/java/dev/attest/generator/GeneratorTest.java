package dev.attest.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.findings.FindingCode;
import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.rating.BillingCycle;
import dev.attest.core.rating.BillingCycles;
import dev.attest.core.rating.BillingPeriod;
import dev.attest.core.rating.Outcome;
import dev.attest.io.duck.Duck;
import dev.attest.io.policy.PolicyLoader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** One generated dataset, checked from every side: truth, files, faults, policies, and an audit built from the core. */
class GeneratorTest {
    static final long EVENTS = 30_000;
    static final long SEED = 11;

    @TempDir
    static Path tmp;
    static GenerationResult result;
    static Dataset data;

    @BeforeAll
    static void generate() throws IOException {
        result = new Generator().generate(tmp.resolve("data"), EVENTS, SEED);
        data = Dataset.read(tmp.resolve("data"));
    }

    @Test
    void resultDescribesWhatWasWritten() {
        assertThat(result.events()).isEqualTo(EVENTS);
        assertThat(result.eventFiles()).containsExactly(tmp.resolve("data/events/events.parquet"));
        assertThat(result.decisionFiles()).containsExactly(tmp.resolve("data/decisions/decisions.parquet"));
        assertThat(result.truthFile()).exists();
        assertThat(result.eventRows()).isEqualTo(data.events().size()).isEqualTo(data.truth().get("event_rows").asLong());
        assertThat(result.decisions()).isEqualTo(data.decisions().size()).isEqualTo(data.truth().get("decisions").asLong());
        assertThat(data.events().stream().map(Dataset.EventRow::eventId).distinct().count()).isEqualTo(EVENTS);
        assertThat(result.policies()).isEqualTo(data.policies().size());
        assertThat(result.faults()).isEqualTo(data.truth().get("faults").size());
    }

    @Test
    void truthCoversEveryFindingCode() {
        JsonNode truth = data.truth();
        assertThat(truth.get("seed").asLong()).isEqualTo(SEED);
        assertThat(truth.get("events").asLong()).isEqualTo(EVENTS);
        JsonNode p = truth.get("parameters");
        assertThat(p.get("from").asString()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(p.get("to").asString()).isEqualTo("2026-04-10T00:00:00Z");
        assertThat(Instant.parse(p.get("as_of").asString())).isAfter(Instant.parse(p.get("to").asString()));
        assertThat(p.get("late_after").asString()).isEqualTo("PT1H");
        assertThat(p.get("tolerance").asString()).isEqualTo("0");

        Map<String, Long> counted = new HashMap<>();
        for (JsonNode f : truth.get("expected_findings")) counted.merge(f.get("code").asString(), 1L, Long::sum);
        for (FindingCode code : FindingCode.values()) {
            if (!code.inContract()) continue; // THRESHOLD_* come from a checks file, never from generated faults
            assertThat(counted.get(code.name())).as(code.name()).isNotNull().isGreaterThanOrEqualTo(3L);
            assertThat(truth.get("counts").get(code.name()).asLong()).as(code.name()).isEqualTo(counted.get(code.name()));
            assertThat(result.expectedFindings().get(code)).isEqualTo(counted.get(code.name()));
        }
        // every expected finding is explained by exactly one fault, and the faults cause nothing else
        List<String> caused = new ArrayList<>();
        for (JsonNode f : truth.get("faults")) for (JsonNode c : f.get("causes")) caused.add(c.toString());
        List<String> expected = new ArrayList<>();
        for (JsonNode f : truth.get("expected_findings")) expected.add(f.toString());
        caused.sort(null);
        expected.sort(null);
        assertThat(caused).isEqualTo(expected);
        // every kind of fault was injected
        Set<String> kinds = new HashSet<>();
        for (JsonNode f : truth.get("faults")) kinds.add(f.get("fault").asString());
        for (FaultKind k : FaultKind.values()) assertThat(kinds).as(k.name()).contains(k.name());
    }

    /** The strongest check: an audit assembled from core's PeriodRater and Reconciler finds exactly the truth. */
    @Test
    void anAuditFromTheCoreFindsExactlyTheTruth() {
        assertThat(MiniAudit.run(data, Scenario.FROM, Scenario.TO, Scenario.AS_OF, BigDecimal.ZERO, Duration.ofHours(1)))
                .containsExactlyElementsOf(truthKeys(data.truth()));
    }

    /** The truth holds only with the customers' own cycles: rated on UTC calendar months, the same data finds other things. */
    @Test
    void theTruthDependsOnTheCustomersCycles() {
        assertThat(MiniAudit.run(data, BillingCycles.calendarMonths(), Scenario.FROM, Scenario.TO, Scenario.AS_OF, BigDecimal.ZERO,
                Duration.ofHours(1))).isNotEqualTo(truthKeys(data.truth()));
    }

    @Test
    void customersHaveBillingCyclesOnBothSidesOfUtcThroughDstChanges() throws IOException {
        List<String> lines = Files.readAllLines(tmp.resolve("data/customers.csv"));
        assertThat(lines.get(0)).isEqualTo("customer_id,billing_anchor_day,billing_zone");
        Map<String, BillingCycle> cycles = data.customers();
        assertThat(cycles.values().stream().map(BillingCycle::anchorDay).collect(Collectors.toSet())).contains(1, 15, 29, 30, 31);
        Instant winter = Instant.parse("2026-01-15T00:00:00Z");
        assertThat(cycles.values()).as("a zone west of UTC").anySatisfy(c -> assertThat(c.zone().getRules().getOffset(winter).getTotalSeconds()).isNegative());
        assertThat(cycles.values()).as("a zone east of UTC").anySatisfy(c -> assertThat(c.zone().getRules().getOffset(winter).getTotalSeconds()).isPositive());
        assertThat(cycles.values().stream().map(c -> c.zone().getId()))
                .contains("America/New_York", "America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney");
        // the default cycle: some customers listed with it, some left out
        assertThat(lines).anyMatch(l -> l.endsWith(",1,UTC"));
        Set<String> customers = data.events().stream().map(Dataset.EventRow::customerId).collect(Collectors.toSet());
        assertThat(customers).anyMatch(c -> !cycles.containsKey(c));
        assertThat(cycles.keySet()).allMatch(customers::contains);

        // partitions (customer, meter, period of the customer's cycle) that hold events on both sides of a DST change
        BillingCycles bc = BillingCycles.of(cycles);
        Map<String, Instant[]> spans = new HashMap<>();
        for (Dataset.EventRow e : data.events()) {
            BillingPeriod period = bc.of(e.customerId()).periodOf(e.eventTime());
            Instant[] s = spans.computeIfAbsent(e.customerId() + "|" + e.meter() + "|" + period, k -> new Instant[] {e.eventTime(), e.eventTime()});
            if (e.eventTime().isBefore(s[0])) s[0] = e.eventTime();
            if (e.eventTime().isAfter(s[1])) s[1] = e.eventTime();
        }
        Set<String> acrossDst = new HashSet<>();
        for (Map.Entry<String, Instant[]> en : spans.entrySet()) {
            ZoneRules rules = bc.of(en.getKey().split("\\|")[0]).zone().getRules();
            ZoneOffsetTransition next = rules.nextTransition(en.getValue()[0]);
            if (next != null && next.getInstant().isBefore(en.getValue()[1])) acrossDst.add(en.getKey());
        }
        assertThat(acrossDst).as("partitions spanning a DST change").isNotEmpty();
        assertThat(acrossDst.stream().map(k -> bc.of(k.split("\\|")[0]).zone().getId()).collect(Collectors.toSet()))
                .as("on both sides of UTC").contains("America/New_York", "Europe/Berlin", "Australia/Sydney");

        // one invoice per customer and billing period, named by the period's local start date
        Map<String, Dataset.EventRow> events = new HashMap<>();
        for (Dataset.EventRow e : data.events()) events.putIfAbsent(e.eventId(), e);
        for (DecisionRecord d : data.decisions()) {
            Dataset.EventRow e = d.eventId() == null ? null : events.get(d.eventId());
            if (d.invoiceId() == null || e == null) continue;
            assertThat(d.invoiceId()).isEqualTo("inv-" + bc.of(e.customerId()).periodOf(e.eventTime()) + "-" + e.customerId());
        }
        assertThat(data.decisions().stream().map(DecisionRecord::invoiceId))
                .contains("inv-2026-02-28-" + cycles.entrySet().stream().filter(c -> c.getValue().anchorDay() == 31).findFirst().orElseThrow().getKey());
    }

    static List<MiniAudit.Key> truthKeys(JsonNode truth) {
        List<MiniAudit.Key> keys = new ArrayList<>();
        for (JsonNode f : truth.get("expected_findings"))
            keys.add(new MiniAudit.Key(f.get("code").asString(), text(f.get("event_id")), text(f.get("decision_id"))));
        keys.sort(null);
        return keys;
    }

    static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asString();
    }

    @Test
    void filesHaveTheContractColumns() {
        try (Duck duck = Duck.inMemory()) {
            assertThat(columns(duck, tmp.resolve("data/events"))).containsExactly(
                    "event_id VARCHAR", "customer_id VARCHAR", "meter VARCHAR", "quantity DECIMAL(38,9)",
                    "event_time TIMESTAMP WITH TIME ZONE", "ingested_at TIMESTAMP WITH TIME ZONE", "value DECIMAL(38,9)",
                    "dimensions VARCHAR");
            assertThat(columns(duck, tmp.resolve("data/decisions"))).containsExactly(
                    "decision_id VARCHAR", "event_id VARCHAR", "customer_id VARCHAR", "meter VARCHAR", "outcome VARCHAR",
                    "amount DECIMAL(38,9)", "currency VARCHAR", "price_policy_id VARCHAR", "price_version INTEGER",
                    "discount_policy_id VARCHAR", "discount_version INTEGER", "entitlement_policy_id VARCHAR",
                    "entitlement_version INTEGER", "decided_at TIMESTAMP WITH TIME ZONE", "invoice_id VARCHAR");
            String events = Duck.literal(tmp.resolve("data/events") + "/*.parquet");
            // value only on percentage events, dimensions only on matrix events; both JSON-readable
            assertThat(duck.queryLong("SELECT count(*) FROM read_parquet(" + events + ") WHERE value IS NOT NULL AND meter <> 'payments'")).isZero();
            assertThat(duck.queryLong("SELECT count(*) FROM read_parquet(" + events + ") WHERE dimensions IS NOT NULL AND meter <> 'egress_gb'")).isZero();
            assertThat(duck.queryLong("SELECT count(*) FROM read_parquet(" + events + ") WHERE meter = 'egress_gb' AND (dimensions IS NULL"
                    + " OR json_extract_string(dimensions, '$.region') IS NULL)")).isZero();
            assertThat(duck.queryLong("SELECT count(*) FROM read_parquet(" + events + ") WHERE quantity < 0 OR ingested_at < event_time")).isZero();
        }
    }

    private static List<String> columns(Duck duck, Path dir) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("DESCRIBE SELECT * FROM read_parquet(" + Duck.literal(dir + "/*.parquet") + ")"))
            out.add(r.get("column_name") + " " + r.get("column_type"));
        return out;
    }

    @Test
    void everyFaultIsPresentAsDescribed() {
        Map<String, List<Dataset.EventRow>> events = data.events().stream().collect(Collectors.groupingBy(Dataset.EventRow::eventId));
        Map<String, List<DecisionRecord>> byEvent = new HashMap<>();
        Map<String, DecisionRecord> byId = new HashMap<>();
        for (DecisionRecord d : data.decisions()) {
            assertThat(byId.put(d.decisionId(), d)).as("decision ids are unique").isNull();
            if (d.eventId() != null) byEvent.computeIfAbsent(d.eventId(), k -> new ArrayList<>()).add(d);
        }
        Set<String> faulted = new HashSet<>();
        for (JsonNode f : data.truth().get("faults")) {
            FaultKind kind = FaultKind.valueOf(f.get("fault").asString());
            String evt = text(f.get("event_id")), dec = text(f.get("decision_id"));
            List<Dataset.EventRow> rows = events.getOrDefault(evt, List.of());
            List<DecisionRecord> ds = byEvent.getOrDefault(evt, List.of());
            DecisionRecord d = dec == null ? null : byId.get(dec);
            String what = kind + " " + evt + " " + dec;
            assertThat(f.get("note").asString()).as(what).isNotBlank();
            if (kind != FaultKind.RETROACTIVE_CORRECTION) assertThat(faulted.add(evt)).as("one fault per event: " + what).isTrue();
            switch (kind) {
                case MISSING_DECISION -> {
                    assertThat(rows).as(what).hasSize(1);
                    assertThat(ds).as(what).isEmpty();
                }
                case UNLINKED_DECISION -> {
                    assertThat(rows).as(what).hasSize(1);
                    assertThat(ds).as(what).isEmpty();
                    assertThat(d.eventId()).as(what).isNull();
                    assertThat(d.customerId()).isEqualTo(rows.get(0).customerId());
                }
                case ORPHAN_DECISION -> {
                    assertThat(rows).as(what).isEmpty();
                    assertThat(ds).as(what).containsExactly(d);
                }
                case DUPLICATE_DECISION -> {
                    assertThat(ds).as(what).hasSize(2);
                    assertThat(ds.get(0).amount()).isEqualByComparingTo(ds.get(1).amount());
                    assertThat(ds.get(0).decisionId()).isNotEqualTo(ds.get(1).decisionId());
                }
                case DUPLICATE_EVENT_CONFLICT -> {
                    assertThat(rows).as(what).hasSize(2);
                    assertThat(rows.get(0).sameContent(rows.get(1))).as(what).isFalse();
                    assertThat(rows.get(0).eventTime()).isEqualTo(rows.get(1).eventTime());
                    assertThat(ds).as(what).containsExactly(d);
                }
                case IDENTICAL_DUPLICATE_EVENT -> {
                    assertThat(rows).as(what).hasSize(2);
                    assertThat(rows.get(0)).isEqualTo(rows.get(1));
                    assertThat(ds).as(what).hasSize(1);
                }
                case AMOUNT_MISMATCH, ROUNDING_DIFFERENCE, OUTCOME_MISMATCH, LATE_DECISION -> assertThat(ds).as(what).containsExactly(d);
                case WRONG_VERSION -> {
                    assertThat(ds).as(what).containsExactly(d);
                    assertThat(d.pricePolicyId()).isEqualTo(Scenario.API_PRICE);
                }
                case UNKNOWN_POLICY_VERSION -> {
                    assertThat(ds).as(what).containsExactly(d);
                    assertThat(d.priceVersion()).isEqualTo(99);
                }
                case NOT_YET_RECORDED -> {
                    assertThat(ds).as(what).containsExactly(d);
                    assertThat(d.priceVersion()).isEqualTo(2);
                    assertThat(d.decidedAt()).isBefore(Scenario.API_V2_RECORDED);
                }
                case MISSING_RULE_REF -> {
                    assertThat(ds).as(what).containsExactly(d);
                    assertThat(d.outcome()).isEqualTo(Outcome.CHARGED);
                    assertThat(d.pricePolicyId()).isNull();
                    assertThat(d.priceVersion()).isNull();
                }
                case CURRENCY_MISMATCH -> {
                    assertThat(ds).as(what).containsExactly(d);
                    assertThat(d.currency()).isEqualTo("EUR");
                }
                case NO_POLICY -> {
                    assertThat(rows.get(0).meter()).isEqualTo("gpu_minutes");
                    assertThat(ds).as(what).containsExactly(d);
                }
                case NO_PRICE -> {
                    assertThat(ds).as(what).containsExactly(d);
                    Dataset.EventRow e = rows.get(0);
                    if (e.meter().equals("egress_gb")) assertThat(e.dims()).containsEntry("region", "sa");
                    else assertThat(e.value()).isNull();
                }
                case POLICY_CONFLICT -> {
                    assertThat(ds).as(what).containsExactly(d);
                    assertThat(d.pricePolicyId()).isEqualTo(Scenario.CONFLICT_PROMO);
                    assertThat(rows.get(0).eventTime()).isBetween(Scenario.PROMO_FROM, Scenario.PROMO_TO);
                }
                case RETROACTIVE_CORRECTION -> {
                    assertThat(rows.get(0).customerId()).isEqualTo(Scenario.CORRECTED_CUSTOMER);
                    assertThat(ds).as(what).hasSize(1);
                    assertThat(ds.get(0).decidedAt()).isBefore(Scenario.CORRECTION_RECORDED);
                }
            }
            if (kind == FaultKind.LATE_DECISION)
                assertThat(Duration.between(rows.get(0).eventTime(), d.decidedAt())).isGreaterThan(Duration.ofHours(1));
            else if (d != null && !rows.isEmpty())
                assertThat(Duration.between(rows.get(0).eventTime(), d.decidedAt())).isLessThan(Duration.ofMinutes(2));
        }
        // events without a fault: delivered once, exactly one decision, decided seconds after the event
        for (Map.Entry<String, List<Dataset.EventRow>> e : events.entrySet()) {
            if (faulted.contains(e.getKey())) continue;
            assertThat(e.getValue()).as(e.getKey()).hasSize(1);
            List<DecisionRecord> ds = byEvent.getOrDefault(e.getKey(), List.of());
            assertThat(ds).as(e.getKey()).hasSize(1);
            Duration lag = Duration.between(e.getValue().get(0).eventTime(), ds.get(0).decidedAt());
            assertThat(lag).isPositive().isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void thePolicyFilesSayExactlyWhatTheGeneratorRatedWith() {
        Scenario scenario = new Scenario(EVENTS, SEED);
        assertThat(new PolicyRegistry(data.policies()).digest()).isEqualTo(scenario.registry.digest());
        for (Policy p : scenario.policies)
            assertThat(tmp.resolve("data/policies/" + p.policyId() + ".yaml")).exists();
        // and the io loader the audit uses reads them to the same registry
        assertThat(new PolicyRegistry(PolicyLoader.load(tmp.resolve("data/policies").toString())).digest())
                .isEqualTo(scenario.registry.digest());
    }

    @Test
    void theWorldIsRealistic() {
        List<Policy> policies = data.policies();
        Set<String> models = new HashSet<>();
        for (Policy p : policies) for (PolicyVersion v : p.versions()) models.add(v.rule().model());
        assertThat(models).contains("unit", "graduated", "volume", "package", "percentage", "matrix", "discount", "entitlement");
        // a scheduled change: a new version valid from mid-month, recorded well before
        PolicyVersion v2 = new PolicyRegistry(policies).find(Scenario.API_PRICE, 2).orElseThrow();
        assertThat(v2.validFrom()).isEqualTo(Instant.parse("2026-01-15T00:00:00Z"));
        assertThat(Duration.between(v2.recordedAt(), v2.validFrom())).isGreaterThan(Duration.ofDays(7));
        // the correction: recorded late, valid from the start of the month
        PolicyVersion correction = new PolicyRegistry(policies).find(Scenario.CORRECTED_PRICE, 2).orElseThrow();
        assertThat(correction.recordedAt()).isAfter(correction.validFrom().plus(Duration.ofDays(20)));
        assertThat(policies.stream().filter(p -> p.customerId() != null && p.kind() == PolicyKind.PRICE)).hasSizeGreaterThanOrEqualTo(3);
        assertThat(policies.stream().filter(p -> p.kind() == PolicyKind.DISCOUNT)).hasSizeGreaterThanOrEqualTo(2);

        Set<String> customers = data.events().stream().map(Dataset.EventRow::customerId).collect(Collectors.toSet());
        assertThat(customers).hasSizeGreaterThanOrEqualTo(20);
        Set<String> meters = data.events().stream().map(Dataset.EventRow::meter).collect(Collectors.toSet());
        assertThat(meters).contains("api_calls", "compute_seconds", "storage_gb", "sms", "payments", "egress_gb", "gpu_minutes");
        // denied by a quota (amount 0, no invoice), discounted decisions, invoices per customer-month
        List<DecisionRecord> denied = data.decisions().stream().filter(d -> d.outcome() == Outcome.DENIED).toList();
        assertThat(denied).hasSizeGreaterThan(10);
        assertThat(denied.stream().filter(d -> d.entitlementPolicyId() != null))
                .allSatisfy(d -> assertThat(d.amount()).isZero()).allSatisfy(d -> assertThat(d.invoiceId()).isNull());
        assertThat(data.decisions().stream().filter(d -> d.discountPolicyId() != null)).hasSizeGreaterThan(10);
        Set<String> invoices = data.decisions().stream().map(DecisionRecord::invoiceId).filter(i -> i != null).collect(Collectors.toSet());
        assertThat(invoices).allMatch(i -> i.matches("inv-20(25-12|26-0[1-4])-\\d{2}-cust-\\d{4}"));
        // decided a few seconds after the event, events received after they happened
        assertThat(data.events()).allSatisfy(e -> assertThat(e.ingestedAt()).isAfter(e.eventTime()));
        // amounts are in cents (the rounding of every price), except the injected rounding difference
        long fractional = data.decisions().stream().filter(d -> d.amount().stripTrailingZeros().scale() > 2).count();
        assertThat(fractional).isEqualTo(result.expectedFindings().get(FindingCode.ROUNDING_DIFFERENCE));
        assertThat(EnumSet.allOf(FindingCode.class).stream().filter(FindingCode::inContract))
                .allSatisfy(c -> assertThat(result.expectedFindings().get(c)).isPositive());
    }

    @Test
    void generatingAgainIntoTheSameFolderReplacesTheFiles() throws IOException {
        Path dir = tmp.resolve("again");
        new Generator(2, 1_000).generate(dir, 5_000, 3);
        assertThat(Files.list(dir.resolve("events")).count()).isGreaterThan(1);
        GenerationResult second = new Generator().generate(dir, 2_000, 3);
        try (var files = Files.list(dir.resolve("events"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("events.parquet");
        }
        assertThat(Dataset.read(dir).events()).hasSize((int) second.eventRows());
    }
}
