package dev.attest.reports;

import java.time.Instant;

/**
 * One policy version on the timeline of its meter. {@code correction}: it was recorded after another version
 * of the same policy whose valid time overlaps it, once that overlap had begun, so it changed what was known
 * about time already past.
 */
public record PolicyVersionRow(String meter, String policyId, String kind, String customerId, int version, Instant validFrom,
                               Instant validTo, Instant recordedAt, String changeRef, boolean correction) {
    public PolicyVersionRow {
        if (meter == null || policyId == null || kind == null) throw new IllegalArgumentException("meter, policy_id and kind are required");
        if (validFrom == null || recordedAt == null)
            throw new IllegalArgumentException("valid_from and recorded_at are required (" + policyId + " v" + version + ")");
        if (validTo != null && !validTo.isAfter(validFrom))
            throw new IllegalArgumentException("valid_to must be after valid_from (" + policyId + " v" + version + ")");
    }
}
