package dev.attest.core.findings;

import dev.attest.core.policy.VersionRef;
import dev.attest.core.rating.Outcome;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * One live decision (contracts section 3). Rule references are kept as given, so that a half-filled
 * reference (policy without version) can be reported rather than lost.
 */
public record DecisionRecord(String decisionId, String eventId, String customerId, String meter, Outcome outcome,
                             BigDecimal amount, String currency, String pricePolicyId, Integer priceVersion,
                             String discountPolicyId, Integer discountVersion, String entitlementPolicyId,
                             Integer entitlementVersion, Instant decidedAt, String invoiceId) {
    public DecisionRecord {
        if (decisionId == null) throw new IllegalArgumentException("decision_id is required");
        if (outcome == null) throw new IllegalArgumentException("outcome is required");
        if (amount == null) throw new IllegalArgumentException("amount is required");
        if (decidedAt == null) throw new IllegalArgumentException("decided_at is required");
    }

    public VersionRef price() {
        return ref(pricePolicyId, priceVersion);
    }

    public VersionRef discount() {
        return ref(discountPolicyId, discountVersion);
    }

    public VersionRef entitlement() {
        return ref(entitlementPolicyId, entitlementVersion);
    }

    public boolean hasPriceRef() {
        return pricePolicyId != null && priceVersion != null;
    }

    /** "policy@vN", "policy@v?" for a policy without version, or null. */
    public String appliedPriceText() {
        if (pricePolicyId == null && priceVersion == null) return null;
        return (pricePolicyId == null ? "?" : pricePolicyId) + "@v" + (priceVersion == null ? "?" : priceVersion);
    }

    private static VersionRef ref(String policyId, Integer version) {
        return policyId == null || version == null ? null : new VersionRef(policyId, version);
    }
}
