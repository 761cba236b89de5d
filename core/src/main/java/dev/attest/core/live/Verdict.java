package dev.attest.core.live;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * What a live audit says of one decision (issue 17). A decision gets a first verdict at once; when what it knows changes
 * (a late event within the hold moves earlier amounts, a second decision for the event, the period or the hold closing),
 * a new verdict names the one it {@code supersedes}.
 *
 * @param verdictId   {@code decision_id#n}, n counting the decision's verdicts from 1
 * @param status      ok, finding or provisional
 * @param codes       the finding codes of the decision and of its event (sorted), empty when ok
 * @param moneyEffect correct minus billed over the decision's findings (null: none moves money)
 * @param settled     true once nothing within the hold can change it any more
 */
public record Verdict(String verdictId, String decisionId, String eventId, String customerId, String meter, String billingPeriod,
                      Status status, List<String> codes, BigDecimal expectedAmount, BigDecimal actualAmount, String currency,
                      BigDecimal moneyEffect, String versionAsKnown, String versionAsCorrected, String versionApplied,
                      Instant decidedAt, String supersedes, boolean settled) implements Emission {
    public enum Status {
        OK, FINDING, PROVISIONAL;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Verdict {
        if (verdictId == null || decisionId == null || status == null) throw new IllegalArgumentException("verdict id, decision and status are required");
        codes = List.copyOf(codes);
        if (status == Status.OK && !codes.isEmpty()) throw new IllegalArgumentException("an ok verdict has no finding code");
        if (status == Status.PROVISIONAL && settled) throw new IllegalArgumentException("a settled verdict is not provisional");
    }

    /** Everything a reader compares: the verdict without its id and what it supersedes. */
    String content() {
        return String.join("|", decisionId, String.valueOf(eventId), status.name(), String.join(",", codes), plain(expectedAmount),
                plain(actualAmount), String.valueOf(currency), plain(moneyEffect), String.valueOf(versionAsKnown),
                String.valueOf(versionAsCorrected), String.valueOf(versionApplied), String.valueOf(billingPeriod));
    }

    private static String plain(BigDecimal x) {
        return x == null ? "" : x.stripTrailingZeros().toPlainString();
    }
}
