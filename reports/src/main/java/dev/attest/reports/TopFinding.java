package dev.attest.reports;

import java.math.BigDecimal;

/** One finding as the report lists it. */
public record TopFinding(String fingerprint, String code, String severity, String eventId, String decisionId, String customerId,
                         String meter, String eventTime, BigDecimal difference, String currency, String explanation) {}
