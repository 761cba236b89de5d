package dev.attest.core.policy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** All loaded policies, validated; resolves which version applies (contracts section 2, "Resolution"). */
public final class PolicyRegistry {
    public PolicyRegistry(List<Policy> policies) {
        throw new UnsupportedOperationException("TODO");
    }

    public Resolution resolve(PolicyKind kind, String customerId, String meter, Instant eventTime, Instant knownAt) {
        throw new UnsupportedOperationException("TODO");
    }

    public Optional<Policy> policy(String policyId) { throw new UnsupportedOperationException("TODO"); }

    public Optional<PolicyVersion> find(String policyId, int version) { throw new UnsupportedOperationException("TODO"); }

    public List<Policy> policies() { throw new UnsupportedOperationException("TODO"); }

    public int versionCount() { throw new UnsupportedOperationException("TODO"); }

    /** SHA-256 (hex) of a canonical rendering of every policy and version: the registry digest of the manifest. */
    public String digest() { throw new UnsupportedOperationException("TODO"); }
}
