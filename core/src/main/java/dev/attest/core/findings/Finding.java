package dev.attest.core.findings;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One finding row of contracts section 5 (the run id is added when written). Versions are rendered
 * "policy@vN"; amounts, outcomes and versions are null where they do not apply.
 */
public record Finding(FindingCode code, Severity severity, String eventId, String decisionId, String customerId,
                      String meter, Instant eventTime, Instant decidedAt, BigDecimal expectedAmount,
                      BigDecimal actualAmount, String expectedOutcome, String actualOutcome, BigDecimal difference,
                      String currency, String versionAsKnown, String versionAsCorrected, String versionApplied,
                      String explanation) {
    public Finding {
        if (code == null) throw new IllegalArgumentException("code is required");
        if (severity == null) severity = code.severity();
        if (explanation == null || explanation.isBlank()) throw new IllegalArgumentException("every finding explains itself");
    }
}
