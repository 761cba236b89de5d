package dev.attest.core.findings;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One finding row of contracts section 5 (the run id is added when written). Versions are rendered
 * "policy@vN"; amounts, outcomes and versions are null where they do not apply.
 *
 * <p>Money (issue 14): {@code moneyClass} says which way the finding's money goes, {@code moneyAmount} what it adds
 * to that class (see {@link Money}), {@code moneyEffect} correct minus billed (positive: the customer owes more).
 * All three are null for a finding that moves no money. {@code invoiceId} is the invoice of the decision the
 * finding is about, if any (money is broken down per invoice).
 */
public record Finding(FindingCode code, Severity severity, String eventId, String decisionId, String customerId,
                      String meter, Instant eventTime, Instant decidedAt, BigDecimal expectedAmount,
                      BigDecimal actualAmount, String expectedOutcome, String actualOutcome, BigDecimal difference,
                      String currency, String versionAsKnown, String versionAsCorrected, String versionApplied,
                      String explanation, MoneyClass moneyClass, BigDecimal moneyAmount, BigDecimal moneyEffect,
                      String invoiceId) {
    public Finding {
        if (code == null) throw new IllegalArgumentException("code is required");
        if (severity == null) severity = code.severity();
        if (explanation == null || explanation.isBlank()) throw new IllegalArgumentException("every finding explains itself");
        if (moneyClass == null && (moneyAmount != null || moneyEffect != null))
            throw new IllegalArgumentException("money without a money class");
        if (moneyClass != null && moneyAmount == null) throw new IllegalArgumentException("a money class without an amount");
    }

    /** Without money and invoice. */
    public Finding(FindingCode code, Severity severity, String eventId, String decisionId, String customerId,
                   String meter, Instant eventTime, Instant decidedAt, BigDecimal expectedAmount,
                   BigDecimal actualAmount, String expectedOutcome, String actualOutcome, BigDecimal difference,
                   String currency, String versionAsKnown, String versionAsCorrected, String versionApplied,
                   String explanation) {
        this(code, severity, eventId, decisionId, customerId, meter, eventTime, decidedAt, expectedAmount, actualAmount,
                expectedOutcome, actualOutcome, difference, currency, versionAsKnown, versionAsCorrected, versionApplied, explanation,
                null, null, null, null);
    }

    /** The same finding with {@code money} (null: none). */
    public Finding withMoney(Money money) {
        return new Finding(code, severity, eventId, decisionId, customerId, meter, eventTime, decidedAt, expectedAmount, actualAmount,
                expectedOutcome, actualOutcome, difference, currency, versionAsKnown, versionAsCorrected, versionApplied, explanation,
                money == null ? null : money.moneyClass(), money == null ? null : money.amount(), money == null ? null : money.effect(),
                invoiceId);
    }

    /** The same finding on {@code invoice}. */
    public Finding withInvoice(String invoice) {
        return new Finding(code, severity, eventId, decisionId, customerId, meter, eventTime, decidedAt, expectedAmount, actualAmount,
                expectedOutcome, actualOutcome, difference, currency, versionAsKnown, versionAsCorrected, versionApplied, explanation,
                moneyClass, moneyAmount, moneyEffect, invoice);
    }

    /** The same finding with another severity (checks may set a code's severity). */
    public Finding withSeverity(Severity s) {
        return new Finding(code, s, eventId, decisionId, customerId, meter, eventTime, decidedAt, expectedAmount, actualAmount,
                expectedOutcome, actualOutcome, difference, currency, versionAsKnown, versionAsCorrected, versionApplied, explanation,
                moneyClass, moneyAmount, moneyEffect, invoiceId);
    }

    /** The same finding in {@code cur}. */
    Finding withCurrency(String cur) {
        return new Finding(code, severity, eventId, decisionId, customerId, meter, eventTime, decidedAt, expectedAmount, actualAmount,
                expectedOutcome, actualOutcome, difference, cur, versionAsKnown, versionAsCorrected, versionApplied, explanation,
                moneyClass, moneyAmount, moneyEffect, invoiceId);
    }
}
