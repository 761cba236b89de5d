package dev.attest.core.policy;

import static dev.attest.core.policy.Policies.DEC_2025;
import static dev.attest.core.policy.Policies.JAN_2026;
import static dev.attest.core.policy.Policies.policy;
import static dev.attest.core.policy.Policies.price;
import static dev.attest.core.policy.Policies.unit;
import static dev.attest.core.policy.Policies.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PolicyRegistryTest {
    static final Instant NOV_10 = Instant.parse("2026-11-10T00:00:00Z");
    static final Instant NOV_20 = Instant.parse("2026-11-20T00:00:00Z");
    static final Instant LATER = Instant.parse("2027-01-01T00:00:00Z");

    @Test
    void rejectsADuplicatePolicyIdNamingThePolicyAndBothSources() {
        Policy a = new Policy("p", PolicyKind.PRICE, "m", null, "EUR", List.of(version("p", 1, unit("1"))), "prices/a.yaml");
        Policy b = new Policy("p", PolicyKind.PRICE, "other", null, "EUR", List.of(version("p", 1, unit("2"))), "prices/b.yaml");
        assertThatThrownBy(() -> new PolicyRegistry(List.of(a, b)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate policy_id p")
                .hasMessageContaining("prices/a.yaml")
                .hasMessageContaining("prices/b.yaml");
    }

    @Test
    void resolvesTheHighestVersionValidAtTheEventAndKnownAtTheKnowledgeTime() {
        Policy p = policy("p", PolicyKind.PRICE, "m", null,
                version("p", 1, JAN_2026, null, DEC_2025, unit("1")),
                version("p", 2, JAN_2026, NOV_20, Instant.parse("2026-11-15T00:00:00Z"), unit("2")),
                version("p", 3, NOV_20, null, DEC_2025, unit("3")));
        PolicyRegistry r = new PolicyRegistry(List.of(p));
        assertThat(versionOf(r.resolve(PolicyKind.PRICE, "c", "m", NOV_10, LATER))).isEqualTo(2);
        assertThat(versionOf(r.resolve(PolicyKind.PRICE, "c", "m", NOV_10, NOV_10))).as("v2 not yet recorded").isEqualTo(1);
        assertThat(versionOf(r.resolve(PolicyKind.PRICE, "c", "m", Instant.parse("2026-11-15T00:00:00Z"), Instant.parse("2026-11-15T00:00:00Z"))))
                .as("recorded_at <= k is inclusive").isEqualTo(2);
        assertThat(versionOf(r.resolve(PolicyKind.PRICE, "c", "m", NOV_20, LATER))).as("valid_to is exclusive, valid_from inclusive").isEqualTo(3);
        assertThat(r.resolve(PolicyKind.PRICE, "c", "m", Instant.parse("2025-06-01T00:00:00Z"), LATER)).isSameAs(Resolution.NONE);
        assertThat(r.resolve(PolicyKind.PRICE, "c", "m", NOV_10, Instant.parse("2025-01-01T00:00:00Z"))).as("nothing recorded yet").isSameAs(Resolution.NONE);
        assertThat(r.resolve(PolicyKind.DISCOUNT, "c", "m", NOV_10, LATER)).as("other kind").isSameAs(Resolution.NONE);
        assertThat(r.resolve(PolicyKind.PRICE, "c", "other-meter", NOV_10, LATER)).as("other meter").isSameAs(Resolution.NONE);
    }

    @Test
    void customerSpecificPoliciesPushDefaultsOutOnlyWhereTheyAreCandidates() {
        Policy dflt = price("default", "m", null, unit("1"));
        Policy dflt2 = price("default-2", "m", null, unit("1"));
        Policy acme = policy("acme", PolicyKind.PRICE, "m", "acme", version("acme", 1, NOV_20, null, DEC_2025, unit("0.5")));
        PolicyRegistry r = new PolicyRegistry(List.of(dflt, dflt2, acme));
        assertThat(r.resolve(PolicyKind.PRICE, "acme", "m", NOV_20, LATER)).isInstanceOf(Resolution.Resolved.class)
                .extracting(x -> ((Resolution.Resolved) x).policy().policyId()).isEqualTo("acme");
        assertThat(r.resolve(PolicyKind.PRICE, "acme", "m", NOV_10, LATER)).as("acme's policy starts later: defaults, in conflict")
                .isEqualTo(new Resolution.Conflict(List.of("default", "default-2")));
        assertThat(r.resolve(PolicyKind.PRICE, "globex", "m", NOV_20, LATER)).isEqualTo(new Resolution.Conflict(List.of("default", "default-2")));
    }

    @Test
    void twoCustomerSpecificPoliciesConflictWithSortedIds() {
        Policy z = price("z-acme", "m", "acme", unit("1"));
        Policy a = price("a-acme", "m", "acme", unit("2"));
        Policy d = price("default", "m", null, unit("3"));
        PolicyRegistry r = new PolicyRegistry(List.of(z, d, a));
        assertThat(r.resolve(PolicyKind.PRICE, "acme", "m", NOV_10, LATER)).isEqualTo(new Resolution.Conflict(List.of("a-acme", "z-acme")));
        assertThat(versionOf(r.resolve(PolicyKind.PRICE, "other", "m", NOV_10, LATER))).isEqualTo(1);
    }

    @Test
    void resolutionOnTheHotPathAllocatesNoNewResult() {
        PolicyRegistry r = new PolicyRegistry(List.of(price("p", "m", null, unit("1"))));
        assertThat(r.resolve(PolicyKind.PRICE, "c", "m", NOV_10, LATER)).isSameAs(r.resolve(PolicyKind.PRICE, "c", "m", NOV_20, LATER));
    }

    @Test
    void findsPoliciesAndVersionsAndCountsThem() {
        Policy p = policy("p", PolicyKind.PRICE, "m", null, version("p", 1, unit("1")), version("p", 2, unit("2")));
        PolicyRegistry r = new PolicyRegistry(List.of(price("q", "m", "acme", unit("1")), p));
        assertThat(r.versionCount()).isEqualTo(3);
        assertThat(r.policies()).extracting(Policy::policyId).containsExactly("p", "q");
        assertThat(r.policy("p")).contains(p);
        assertThat(r.policy("nope")).isEmpty();
        assertThat(r.find("p", 2)).get().extracting(PolicyVersion::rule).isEqualTo(unit("2"));
        assertThat(r.find("p", 3)).isEmpty();
        assertThat(r.find("nope", 1)).isEmpty();
    }

    @Test
    void listsVersionsWithoutChangeRef() {
        PolicyVersion gap = new PolicyVersion("p", 2, JAN_2026, null, DEC_2025, unit("1"), null, " ", "someone");
        Policy p = policy("p", PolicyKind.PRICE, "m", null, version("p", 1, unit("1")), gap);
        PolicyRegistry r = new PolicyRegistry(List.of(p, price("q", "m", "acme", unit("1"))));
        assertThat(r.versionsWithoutChangeRef()).containsExactly(gap);
    }

    @Test
    void digestIsStableUnderInputOrderAndChangesWithContent() {
        List<Policy> policies = new ArrayList<>(List.of(
                price("a", "m", null, unit("1.50")),
                policy("b", PolicyKind.PRICE, "m", "acme", version("b", 2, new Rule.Graduated(Policies.tiers("10", "1", null, "0.5"))),
                        version("b", 1, new Rule.Matrix(List.of("region", "tier"),
                                List.of(new Rule.MatrixEntry(Map.of("region", "eu", "tier", "gpu"), BigDecimal.ONE)), null))),
                policy("c", PolicyKind.DISCOUNT, "m", null, version("c", 1, new Rule.Discount(BigDecimal.TEN)))));
        String digest = new PolicyRegistry(policies).digest();
        assertThat(digest).hasSize(64).matches("[0-9a-f]+");
        for (long seed = 0; seed < 5; seed++) {
            Collections.shuffle(policies, new Random(seed));
            assertThat(new PolicyRegistry(policies).digest()).isEqualTo(digest);
        }
        List<Policy> sameValue = new ArrayList<>(policies);
        sameValue.replaceAll(p -> p.policyId().equals("a") ? price("a", "m", null, unit("1.5")) : p);
        assertThat(new PolicyRegistry(sameValue).digest()).as("1.50 and 1.5 are one price").isEqualTo(digest);
        List<Policy> changed = new ArrayList<>(policies);
        changed.replaceAll(p -> p.policyId().equals("a") ? price("a", "m", null, unit("1.51")) : p);
        assertThat(new PolicyRegistry(changed).digest()).isNotEqualTo(digest);
    }

    @Test
    void emptyRegistryResolvesNothing() {
        PolicyRegistry r = new PolicyRegistry(List.of());
        assertThat(r.resolve(PolicyKind.PRICE, "c", "m", NOV_10, LATER)).isSameAs(Resolution.NONE);
        assertThat(r.versionCount()).isZero();
        assertThat(r.digest()).hasSize(64);
    }

    private static int versionOf(Resolution r) {
        assertThat(r).isInstanceOf(Resolution.Resolved.class);
        return ((Resolution.Resolved) r).version().version();
    }
}
