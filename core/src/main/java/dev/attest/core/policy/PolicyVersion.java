package dev.attest.core.policy;

import java.time.Instant;

/**
 * One append-only version of a policy. {@code validTo == null} is open-ended; {@code rounding} is
 * null when the version sets none (then {@link Rounding#DEFAULT} applies to price versions).
 */
public record PolicyVersion(String policyId, int version, Instant validFrom, Instant validTo, Instant recordedAt,
                            Rule rule, Rounding rounding, String changeRef, String author) {
    public PolicyVersion {
        if (policyId == null || policyId.isBlank()) throw new IllegalArgumentException("policy_id is required");
        if (version < 1) throw new IllegalArgumentException("version must be >= 1, got " + version);
        if (validFrom == null) throw new IllegalArgumentException("valid_from is required (version " + version + ")");
        if (recordedAt == null) throw new IllegalArgumentException("recorded_at is required (version " + version + ")");
        if (rule == null) throw new IllegalArgumentException("rule is required (version " + version + ")");
        if (validTo != null && !validTo.isAfter(validFrom))
            throw new IllegalArgumentException("valid_to " + validTo + " <= valid_from " + validFrom + " (version " + version + ")");
        if (changeRef != null && changeRef.isBlank()) changeRef = null;
    }

    /** valid_from <= t < valid_to. */
    public boolean validAt(Instant t) {
        return !t.isBefore(validFrom) && (validTo == null || t.isBefore(validTo));
    }

    /** recorded_at <= k. */
    public boolean knownAt(Instant k) {
        return !recordedAt.isAfter(k);
    }

    public Rounding roundingOrDefault() {
        return rounding == null ? Rounding.DEFAULT : rounding;
    }

    public VersionRef ref() {
        return new VersionRef(policyId, version);
    }
}
