package dev.attest.core.policy;

/** A (policy_id, version) pair, as decisions name them. */
public record VersionRef(String policyId, int version) {
    public VersionRef {
        if (policyId == null) throw new IllegalArgumentException("policy_id is required");
    }

    @Override
    public String toString() {
        return policyId + "@v" + version;
    }
}
