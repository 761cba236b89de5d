package dev.attest.io.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Rounding;
import dev.attest.core.policy.Rule;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoaderTest {
    @TempDir
    Path dir;

    private Path write(String rel, String content) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    static final String GRADUATED_YAML = """
            policy_id: api-price
            kind: price
            meter: api_calls
            customer_id: null
            currency: eur
            versions:
              - version: 1
                valid_from: 2026-01-01T00:00:00Z
                valid_to: 2026-02-01T00:00:00+01:00
                recorded_at: 2025-12-20T10:00:00Z
                rule:
                  model: graduated
                  tiers:
                    - {up_to: 10, unit_price: 10, flat_fee: 2}
                    - {up_to: "20", unit_price: 0.30000000000000000001, flat_fee: 3}
                    - {up_to: null, unit_price: 5}
                rounding: {scale: 2, mode: half_up}
                change_ref: CHG-1
                author: alice
              - version: 2
                valid_from: 2026-02-01T00:00:00Z
                recorded_at: 2026-01-25T00:00:00Z
                rule: {model: unit, unit_price: "0.0025", rounding: {scale: 4, mode: down}}
            """;

    @Test
    void yamlAndJsonDocuments() throws IOException {
        write("p/api.yaml", GRADUATED_YAML);
        write("p/nested/discount.yml", """
                policy_id: vip-discount
                kind: discount
                meter: api_calls
                customer_id: c1
                versions:
                  - {version: 1, valid_from: "2026-01-01T00:00:00Z", recorded_at: "2026-01-01T00:00:00Z", rule: {percent_off: 12.5}}
                """);
        write("p/quota.json", """
                {"policy_id": "quota", "kind": "entitlement", "meter": "api_calls", "customer_id": "c1",
                 "versions": [{"version": 1, "valid_from": "2026-01-01T00:00:00Z", "recorded_at": "2026-01-01T00:00:00Z",
                               "rule": {"limit": 1000}, "change_ref": "T-9"}]}
                """);
        write("p/alert.json", """
                {"policy_id": "alert", "kind": "threshold", "meter": "api_calls", "currency": "USD",
                 "versions": [{"version": 1, "valid_from": "2026-01-01T00:00:00Z", "recorded_at": "2026-01-01T00:00:00Z",
                               "rule": {"model": "threshold", "amount": 99.99}}]}
                """);
        write("p/matrix.yaml", """
                policy_id: storage
                kind: price
                meter: storage_gb
                currency: EUR
                versions:
                  - version: 1
                    valid_from: 2026-01-01T00:00:00Z
                    recorded_at: 2026-01-01T00:00:00Z
                    rule:
                      model: matrix
                      dimensions: [region, tier]
                      prices:
                        - {match: {region: eu, tier: gold}, unit_price: 0.5}
                        - {match: {region: us}, unit_price: 0.25}
                      default_unit_price: 1
                  - version: 2
                    valid_from: 2026-03-01T00:00:00Z
                    recorded_at: 2026-02-01T00:00:00Z
                    rule: {model: percentage, percent: 2.99, min_per_event: 1.75, max_per_event: 12, fixed_fee: 0.30}
                  - version: 3
                    valid_from: 2026-04-01T00:00:00Z
                    recorded_at: 2026-03-01T00:00:00Z
                    rule: {model: package, package_size: 10, package_price: 100, free_units: 10}
                  - version: 4
                    valid_from: 2026-05-01T00:00:00Z
                    recorded_at: 2026-04-01T00:00:00Z
                    rule: {model: volume, tiers: [{up_to: 100, unit_price: 2, flat_fee: 10}, {unit_price: 1}]}
                """);
        List<Policy> ps = PolicyLoader.load(dir.resolve("p").toString());
        assertThat(ps).extracting(Policy::policyId).containsExactly("alert", "api-price", "quota", "storage", "vip-discount");

        Policy api = ps.get(1);
        assertThat(api.kind()).isEqualTo(PolicyKind.PRICE);
        assertThat(api.currency()).isEqualTo("EUR");
        assertThat(api.customerId()).isNull();
        assertThat(api.source()).endsWith("api.yaml");
        PolicyVersion v1 = api.versions().get(0);
        assertThat(v1.validTo()).isEqualTo(Instant.parse("2026-01-31T23:00:00Z"));
        assertThat(v1.changeRef()).isEqualTo("CHG-1");
        assertThat(v1.author()).isEqualTo("alice");
        assertThat(v1.rounding()).isEqualTo(new Rounding(2, RoundingMode.HALF_UP));
        Rule.Graduated g = (Rule.Graduated) v1.rule();
        assertThat(g.tiers()).hasSize(3);
        assertThat(g.tiers().get(1).upTo()).isEqualByComparingTo("20");
        assertThat(g.tiers().get(1).unitPrice()).isEqualTo(new BigDecimal("0.30000000000000000001"));
        assertThat(g.tiers().get(2).unbounded()).isTrue();
        PolicyVersion v2 = api.versions().get(1);
        assertThat(v2.validTo()).isNull();
        assertThat(((Rule.Unit) v2.rule()).unitPrice()).isEqualTo(new BigDecimal("0.0025"));
        assertThat(v2.rounding()).isEqualTo(new Rounding(4, RoundingMode.DOWN));

        assertThat(((Rule.Threshold) ps.get(0).versions().get(0).rule()).amount()).isEqualTo(new BigDecimal("99.99"));
        assertThat(((Rule.Entitlement) ps.get(2).versions().get(0).rule()).limit()).isEqualByComparingTo("1000");
        assertThat(((Rule.Discount) ps.get(4).versions().get(0).rule()).percentOff()).isEqualTo(new BigDecimal("12.5"));
        assertThat(ps.get(4).customerId()).isEqualTo("c1");

        List<PolicyVersion> st = ps.get(3).versions();
        Rule.Matrix m = (Rule.Matrix) st.get(0).rule();
        assertThat(m.dimensions()).containsExactly("region", "tier");
        assertThat(m.prices().get(0).match()).isEqualTo(Map.of("region", "eu", "tier", "gold"));
        assertThat(m.defaultUnitPrice()).isEqualByComparingTo("1");
        Rule.Percentage pc = (Rule.Percentage) st.get(1).rule();
        assertThat(pc.percent()).isEqualTo(new BigDecimal("2.99"));
        assertThat(pc.fixedFee()).isEqualTo(new BigDecimal("0.30"));
        assertThat(((Rule.Package) st.get(2).rule()).freeUnits()).isEqualByComparingTo("10");
        assertThat(((Rule.Volume) st.get(3).rule()).tiers().get(0).flatFee()).isEqualByComparingTo("10");
    }

    @Test
    void flatCsvTable() throws IOException {
        Path f = write("flat/policies.csv", """
                policy_id,kind,meter,customer_id,currency,version,valid_from,valid_to,recorded_at,rule,rounding,change_ref,author,comment
                api,price,api_calls,,EUR,1,2026-01-01T00:00:00Z,2026-02-01T00:00:00Z,2025-12-01T00:00:00Z,"{""model"":""unit"",""unit_price"":0.001000000000000000001}","{""scale"":2,""mode"":""half_even""}",CHG-1,bob,ignored
                api,price,api_calls,,EUR,2,2026-02-01T00:00:00Z,,2026-01-15T00:00:00Z,"{""model"":""unit"",""unit_price"":""0.002"",""rounding"":{""scale"":3,""mode"":""down""}}",,,bob,
                off,discount,api_calls,c1,,1,2026-01-01T00:00:00Z,,2026-01-01T00:00:00Z,"{""percent_off"":10}",,T-1,,
                """);
        List<Policy> ps = PolicyLoader.load(f.toString());
        assertThat(ps).extracting(Policy::policyId).containsExactly("api", "off");
        Policy api = ps.get(0);
        assertThat(api.versions()).hasSize(2);
        assertThat(((Rule.Unit) api.versions().get(0).rule()).unitPrice()).isEqualTo(new BigDecimal("0.001000000000000000001"));
        assertThat(api.versions().get(0).rounding()).isEqualTo(Rounding.of(2, "half_even"));
        assertThat(api.versions().get(1).rounding()).isEqualTo(Rounding.of(3, "down"));
        assertThat(api.versions().get(1).changeRef()).isNull();
        assertThat(api.customerId()).isNull();
        assertThat(ps.get(1).kind()).isEqualTo(PolicyKind.DISCOUNT);
    }

    @Test
    void flatParquetAndJsonLinesTables() throws IOException {
        Path pq = dir.resolve("flat/p.parquet");
        Files.createDirectories(pq.getParent());
        try (Duck duck = Duck.inMemory()) {
            duck.execute("COPY (SELECT 'api' AS policy_id, 'price' AS kind, 'api_calls' AS meter, NULL::VARCHAR AS customer_id, 'EUR' AS currency, "
                    + "1 AS version, TIMESTAMPTZ '2026-01-01 01:00:00+01' AS valid_from, NULL::TIMESTAMPTZ AS valid_to, "
                    + "TIMESTAMPTZ '2025-12-01 00:00:00+00' AS recorded_at, '{\"model\":\"unit\",\"unit_price\":\"0.5\"}' AS rule) TO "
                    + Duck.literal(pq.toString()) + " (FORMAT parquet)");
        }
        write("flat/q.jsonl", "{\"policy_id\":\"quota\",\"kind\":\"entitlement\",\"meter\":\"api_calls\",\"version\":1,"
                + "\"valid_from\":\"2026-01-01T00:00:00Z\",\"recorded_at\":\"2026-01-01T00:00:00Z\",\"rule\":{\"limit\":5}}\n");
        List<Policy> ps = PolicyLoader.load(dir.resolve("flat").toString());
        assertThat(ps).extracting(Policy::policyId).containsExactly("api", "quota");
        assertThat(ps.get(0).versions().get(0).validFrom()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(((Rule.Unit) ps.get(0).versions().get(0).rule()).unitPrice()).isEqualTo(new BigDecimal("0.5"));
    }

    private void rejects(String file, String content, String... expected) throws IOException {
        Path f = write("bad/" + file, content);
        assertThatThrownBy(() -> PolicyLoader.load(f.toString())).isInstanceOfSatisfying(InputException.class, e -> {
            assertThat(e.code()).isEqualTo(InputException.Code.BAD_POLICY);
            assertThat(e.getMessage()).contains(f.toString());
            for (String x : expected) assertThat(e.getMessage()).contains(x);
        });
    }

    private static String price(String versions) {
        return "policy_id: p1\nkind: price\nmeter: api_calls\ncurrency: EUR\nversions:\n" + versions;
    }

    private static String v(int n, String rule) {
        return "  - {version: " + n + ", valid_from: 2026-01-01T00:00:00Z, recorded_at: 2026-01-01T00:00:00Z, rule: " + rule + "}\n";
    }

    @Test
    void loadTimeRejectionsNameFileAndPolicy() throws IOException {
        rejects("dup.yaml", price(v(1, "{model: unit, unit_price: 1}") + v(1, "{model: unit, unit_price: 2}")), "policy p1", "duplicate version 1");
        rejects("order.yaml", price("  - {version: 1, valid_from: 2026-02-01T00:00:00Z, valid_to: 2026-01-01T00:00:00Z, "
                + "recorded_at: 2026-01-01T00:00:00Z, rule: {model: unit, unit_price: 1}}\n"), "policy p1", "valid_to", "<= valid_from");
        rejects("same.yaml", price("  - {version: 1, valid_from: 2026-02-01T00:00:00Z, valid_to: 2026-02-01T00:00:00Z, "
                + "recorded_at: 2026-01-01T00:00:00Z, rule: {model: unit, unit_price: 1}}\n"), "policy p1", "<= valid_from");
        rejects("model.yaml", price(v(1, "{model: tiered, unit_price: 1}")), "policy p1", "unknown model 'tiered'");
        rejects("malformed.yaml", price(v(1, "{model: unit, unit_price: abc}")), "policy p1", "unit_price is not a decimal number");
        rejects("missing.yaml", price(v(1, "{model: unit}")), "policy p1", "unit_price is required");
        rejects("typo.yaml", price(v(1, "{model: package, package_size: 10, package_price: 1, free_unit: 5}")), "policy p1",
                "unknown field 'free_unit'");
        rejects("tiers.yaml", price(v(1, "{model: graduated, tiers: [{up_to: 10, unit_price: 1}, {up_to: 20, unit_price: 2}]}")),
                "policy p1", "must end with an unbounded tier");
        rejects("kind.yaml", price(v(1, "{model: discount, percent_off: 10}")), "policy p1", "does not fit a price policy");
        rejects("kind2.yaml", "policy_id: d1\nkind: discount\nmeter: m\nversions:\n" + v(1, "{model: unit, unit_price: 1}"),
                "policy d1", "does not fit a discount policy");
        rejects("nomodel.yaml", price(v(1, "{unit_price: 1}")), "policy p1", "rule.model is required");
        rejects("offset.yaml", price("  - {version: 1, valid_from: 2026-01-01T00:00:00, recorded_at: 2026-01-01T00:00:00Z, "
                + "rule: {model: unit, unit_price: 1}}\n"), "policy p1", "valid_from", "offset");
        rejects("version.yaml", price(v(1, "{model: unit, unit_price: 1}").replace("version: 1", "version: 1.5")), "policy p1",
                "version is not an integer");
        rejects("currency.yaml", "policy_id: p1\nkind: price\nmeter: m\nversions:\n" + v(1, "{model: unit, unit_price: 1}"),
                "policy p1", "currency is required");
        rejects("kindname.yaml", "policy_id: p1\nkind: pricing\nmeter: m\ncurrency: EUR\nversions:\n" + v(1, "{model: unit, unit_price: 1}"),
                "policy p1", "unknown kind");
        rejects("rounding.yaml", price(v(1, "{model: unit, unit_price: 1, rounding: {scale: 2, mode: ceiling}}")), "policy p1",
                "rounding mode");
        rejects("scale.yaml", price(v(1, "{model: unit, unit_price: 1, rounding: {scale: 12, mode: half_up}}")), "policy p1",
                "rounding scale must be 0..9");
        rejects("broken.json", "{\"policy_id\": \"p1\", \"versions\": [", "not");
        rejects("flat.csv", """
                policy_id,kind,meter,customer_id,currency,version,valid_from,valid_to,recorded_at,rule
                p9,price,m,,EUR,1,2026-01-01T00:00:00Z,,2026-01-01T00:00:00Z,"{""model"":""unit"",""unit_price"":1}"
                p9,price,m,,EUR,1,2026-02-01T00:00:00Z,,2026-01-01T00:00:00Z,"{""model"":""unit"",""unit_price"":2}"
                """, "policy p9", "row 2", "duplicate version 1");
        rejects("flatrule.csv", """
                policy_id,kind,meter,customer_id,currency,version,valid_from,valid_to,recorded_at,rule
                p8,price,m,,EUR,1,2026-01-01T00:00:00Z,,2026-01-01T00:00:00Z,"{model: unit"
                """, "policy p8", "rule is not valid JSON");
    }

    @Test
    void samePolicyInTwoFilesIsRejected() throws IOException {
        write("two/a.yaml", price(v(1, "{model: unit, unit_price: 1}")));
        write("two/b.yaml", price(v(2, "{model: unit, unit_price: 2}")));
        assertThatThrownBy(() -> PolicyLoader.load(dir.resolve("two").toString())).isInstanceOfSatisfying(InputException.class, e -> {
            assertThat(e.code()).isEqualTo(InputException.Code.BAD_POLICY);
            assertThat(e.getMessage()).contains("b.yaml").contains("policy p1").contains("a.yaml");
        });
    }
}
