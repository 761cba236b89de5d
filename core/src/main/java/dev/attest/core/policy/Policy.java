package dev.attest.core.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One rule surface with its append-only versions. {@code customerId == null} is the default for every
 * customer. {@code source} names where it was loaded from, for error messages.
 */
public record Policy(String policyId, PolicyKind kind, String meter, String customerId, String currency,
                     List<PolicyVersion> versions, String source) {
    public Policy {
        String where = " (policy " + policyId + (source == null ? "" : ", " + source) + ")";
        if (policyId == null || policyId.isBlank()) throw new IllegalArgumentException("policy_id is required" + where);
        if (kind == null) throw new IllegalArgumentException("kind is required" + where);
        if (meter == null || meter.isBlank()) throw new IllegalArgumentException("meter is required" + where);
        if (customerId != null && customerId.isBlank()) customerId = null;
        if ((kind == PolicyKind.PRICE || kind == PolicyKind.THRESHOLD) && (currency == null || currency.isBlank()))
            throw new IllegalArgumentException("currency is required for " + kind.wire() + " policies" + where);
        if (versions == null || versions.isEmpty()) throw new IllegalArgumentException("a policy needs at least one version" + where);
        Set<Integer> seen = new HashSet<>();
        List<PolicyVersion> sorted = new ArrayList<>(versions);
        for (PolicyVersion v : sorted) {
            if (!seen.add(v.version())) throw new IllegalArgumentException("duplicate version " + v.version() + where);
            if (!v.policyId().equals(policyId))
                throw new IllegalArgumentException("version " + v.version() + " names policy " + v.policyId() + where);
            if (v.rule().kind() != kind)
                throw new IllegalArgumentException("version " + v.version() + " has a " + v.rule().model() + " rule, not valid for a "
                        + kind.wire() + " policy" + where);
        }
        sorted.sort(Comparator.comparingInt(PolicyVersion::version));
        versions = List.copyOf(sorted);
    }

    public boolean customerSpecific() {
        return customerId != null;
    }
}
