package dev.attest.generator;

import dev.attest.core.findings.FindingCode;
import java.math.BigDecimal;
import java.util.List;

/** The rows and the ground truth of one partition, in the order they are written. */
record PartitionOutput(String customerId, String meter, List<EventRow> events, List<DecisionRow> decisions,
                       List<TruthFinding> findings, List<TruthFault> faults) {

    /** One events row; times in epoch ms; value and dimensions null when absent. */
    record EventRow(String eventId, BigDecimal quantity, long eventTime, long ingestedAt, BigDecimal value, String dimensions) {}

    /** One decisions row; decidedAt in epoch ms. */
    record DecisionRow(String decisionId, String eventId, String outcome, BigDecimal amount, String currency,
                       String pricePolicyId, Integer priceVersion, String discountPolicyId, Integer discountVersion,
                       String entitlementPolicyId, Integer entitlementVersion, long decidedAt, String invoiceId) {
        DecisionRow withDecisionId(String id) {
            return new DecisionRow(id, eventId, outcome, amount, currency, pricePolicyId, priceVersion, discountPolicyId,
                    discountVersion, entitlementPolicyId, entitlementVersion, decidedAt, invoiceId);
        }

        DecisionRow withEventId(String id) {
            return new DecisionRow(decisionId, id, outcome, amount, currency, pricePolicyId, priceVersion, discountPolicyId,
                    discountVersion, entitlementPolicyId, entitlementVersion, decidedAt, invoiceId);
        }

        DecisionRow withDecidedAt(long ms) {
            return new DecisionRow(decisionId, eventId, outcome, amount, currency, pricePolicyId, priceVersion, discountPolicyId,
                    discountVersion, entitlementPolicyId, entitlementVersion, ms, invoiceId);
        }

        DecisionRow withAmount(BigDecimal a) {
            return new DecisionRow(decisionId, eventId, outcome, a, currency, pricePolicyId, priceVersion, discountPolicyId,
                    discountVersion, entitlementPolicyId, entitlementVersion, decidedAt, invoiceId);
        }

        DecisionRow withCurrency(String c) {
            return new DecisionRow(decisionId, eventId, outcome, amount, c, pricePolicyId, priceVersion, discountPolicyId,
                    discountVersion, entitlementPolicyId, entitlementVersion, decidedAt, invoiceId);
        }

        DecisionRow withPrice(String policyId, Integer version) {
            return new DecisionRow(decisionId, eventId, outcome, amount, currency, policyId, version, discountPolicyId,
                    discountVersion, entitlementPolicyId, entitlementVersion, decidedAt, invoiceId);
        }

        DecisionRow withOutcome(String o, BigDecimal a, String invoice) {
            return new DecisionRow(decisionId, eventId, o, a, currency, pricePolicyId, priceVersion, discountPolicyId,
                    discountVersion, entitlementPolicyId, entitlementVersion, decidedAt, invoice);
        }
    }

    /** One expected finding: the audit must report exactly this multiset. */
    record TruthFinding(FindingCode code, String eventId, String decisionId) {}

    /** One injected fault with every finding it causes. */
    record TruthFault(FaultKind fault, String eventId, String decisionId, String note, List<TruthFinding> causes) {}
}
