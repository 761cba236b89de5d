package dev.attest.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.rating.BillingCycle;
import dev.attest.core.rating.BillingPeriod;
import dev.attest.engine.audit.AuditWindow;
import dev.attest.io.policy.PolicyLoader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the fold allows a heavy period to be split (docs/spark.md): no volume price, no entitlement that can bind. */
class SkewSplitTest {
    @TempDir
    Path dir;

    private PolicyRegistry registry(String... yaml) throws Exception {
        for (int i = 0; i < yaml.length; i++) Files.writeString(dir.resolve("p" + i + ".yaml"), yaml[i]);
        return new PolicyRegistry(PolicyLoader.load(dir.toString()));
    }

    private static String policy(String id, String kind, String customer, String rule) {
        return "policy_id: " + id + "\nkind: " + kind + "\nmeter: api_calls\n" + (customer == null ? "" : "customer_id: " + customer + "\n")
                + (kind.equals("price") ? "currency: USD\n" : "") + "versions:\n  - version: 1\n    valid_from: 2025-01-01T00:00:00Z\n"
                + "    recorded_at: 2024-12-01T00:00:00Z\n    change_ref: CHG-1\n    author: test\n    rule: " + rule + "\n";
    }

    private static final BillingPeriod JANUARY = BillingCycle.CALENDAR_MONTH_UTC.periodOf(Instant.parse("2026-01-15T00:00:00Z"));
    private static final AuditWindow WHOLE = new AuditWindow(null, null, Instant.parse("2026-03-01T00:00:00Z"));

    @Test
    void unitAndGraduatedWithoutEntitlementSplit() throws Exception {
        PolicyRegistry r = registry(policy("p", "price", null, "{model: graduated, tiers: [{up_to: 10, unit_price: 1}, {up_to: null, unit_price: 0.5}]}"));
        assertThat(SparkRatePass.unsplittable(r, "whale", "api_calls", JANUARY, new BigDecimal("1000000"), WHOLE, false)).isNull();
    }

    @Test
    void volumeNeedsThePeriodTotal() throws Exception {
        PolicyRegistry r = registry(policy("p", "price", "whale", "{model: volume, tiers: [{up_to: 10, unit_price: 1}, {up_to: null, unit_price: 0.5}]}"));
        assertThat(SparkRatePass.unsplittable(r, "whale", "api_calls", JANUARY, BigDecimal.TEN, WHOLE, false)).contains("volume");
        assertThat(SparkRatePass.unsplittable(r, "other", "api_calls", JANUARY, BigDecimal.TEN, WHOLE, false)).isNull();
    }

    @Test
    void anEntitlementBindsOnlyWhenThePeriodCanReachItsLimit() throws Exception {
        PolicyRegistry r = registry(policy("p", "price", null, "{model: unit, unit_price: 1}"),
                policy("quota", "entitlement", null, "{limit: 5000}"));
        assertThat(SparkRatePass.unsplittable(r, "whale", "api_calls", JANUARY, new BigDecimal("4999"), WHOLE, false)).isNull();
        assertThat(SparkRatePass.unsplittable(r, "whale", "api_calls", JANUARY, new BigDecimal("5001"), WHOLE, false)).contains("can bind");
    }

    @Test
    void carriedAuditsAndPeriodsOpenAtTheWindowsEndStayWhole() throws Exception {
        PolicyRegistry r = registry(policy("p", "price", null, "{model: unit, unit_price: 1}"));
        AuditWindow midJanuary = new AuditWindow(null, Instant.parse("2026-01-20T00:00:00Z"), Instant.parse("2026-03-01T00:00:00Z"));
        assertThat(SparkRatePass.unsplittable(r, "whale", "api_calls", JANUARY, BigDecimal.ONE, midJanuary, false)).contains("open");
        assertThat(SparkRatePass.unsplittable(r, "whale", "api_calls", JANUARY, BigDecimal.ONE, WHOLE, true)).contains("carried");
    }
}
