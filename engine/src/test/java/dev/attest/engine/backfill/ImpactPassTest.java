package dev.attest.engine.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputStager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The comparison of the books with the as-corrected view, on hand-made rating results in a real DuckDB:
 * which events are corrected, and where their money goes.
 */
class ImpactPassTest {
    private Duck duck;

    @BeforeEach
    void tables() {
        duck = Duck.inMemory();
        duck.execute("CREATE TABLE expected (event_id VARCHAR, customer_id VARCHAR, meter VARCHAR, billing_period VARCHAR, "
                + "event_time TIMESTAMPTZ, expected_outcome VARCHAR, expected_amount DECIMAL(38,9), price_policy_id VARCHAR, price_version INTEGER, "
                + "discount_policy_id VARCHAR, discount_version INTEGER, entitlement_policy_id VARCHAR, entitlement_version INTEGER, "
                + "corrected_outcome VARCHAR, corrected_amount DECIMAL(38,9), corrected_status VARCHAR, corrected_currency VARCHAR, "
                + "corrected_price_policy_id VARCHAR, corrected_price_version INTEGER, corrected_discount_policy_id VARCHAR, "
                + "corrected_discount_version INTEGER, corrected_entitlement_policy_id VARCHAR, corrected_entitlement_version INTEGER)");
        duck.execute("CREATE TABLE decisions (" + InputStager.DECISIONS_DDL + ")");
    }

    @AfterEach
    void close() {
        duck.close();
    }

    /** An event of customer c, meter m at day d, hour h: as known (outcome, amount, price version) and as corrected. */
    private void event(String id, String c, int day, String knownOutcome, String known, int knownV, String corrOutcome, String corrected, int corrV,
                       String currency, String ent, int entKnownV, int entCorrV) {
        duck.execute("INSERT INTO expected VALUES ('" + id + "', '" + c + "', 'api', '2026-02', TIMESTAMPTZ '2026-02-" + String.format("%02d", day)
                + " 10:00:00+00', '" + knownOutcome + "', " + known + ", 'p', " + knownV + ", NULL, NULL, " + (ent == null ? "NULL, NULL" : "'" + ent + "', " + entKnownV)
                + ", '" + corrOutcome + "', " + corrected + ", 'RATED', '" + currency + "', 'p', " + corrV + ", NULL, NULL, "
                + (ent == null ? "NULL, NULL" : "'" + ent + "', " + entCorrV) + ")");
    }

    private void decision(String id, String event, String c, String outcome, String amount, String currency, int v, String invoice) {
        duck.execute("INSERT INTO decisions VALUES ('" + id + "', '" + event + "', '" + c + "', 'api', '" + outcome + "', " + amount + ", '" + currency
                + "', 'p', " + v + ", NULL, NULL, NULL, NULL, TIMESTAMPTZ '2026-02-20 00:00:00+00', " + (invoice == null ? "NULL" : "'" + invoice + "'")
                + ", 'd.csv', 1)");
    }

    private List<String> lines() {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows(ImpactPass.linesSelect("(" + ImpactPass.partSelect("t_contrib") + ")") + ImpactPass.linesOrder()))
            out.add(r.get("customer_id") + " " + r.get("invoice_id") + " " + r.get("currency") + " events=" + r.get("events_affected") + " restated="
                    + r.get("events_restated") + " before=" + plain(r.get("amount_before")) + " after=" + plain(r.get("amount_after")) + " delta="
                    + plain(r.get("delta")) + " correcting=" + r.get("correcting_versions"));
        return out;
    }

    private static String plain(Object d) {
        return ((java.math.BigDecimal) d).stripTrailingZeros().toPlainString();
    }

    @Test
    void aCorrectionMovesMoneyFromTheBooksToTheCorrectedAmountPerInvoice() {
        event("e1", "c1", 2, "charged", "1.00", 1, "charged", "1.20", 2, "USD", null, 0, 0);
        decision("d1", "e1", "c1", "charged", "1.00", "USD", 1, "inv-1");
        event("e2", "c1", 3, "charged", "2.00", 1, "charged", "2.00", 1, "USD", null, 0, 0); // unchanged
        decision("d2", "e2", "c1", "charged", "2.00", "USD", 1, "inv-1");
        new ImpactPass(duck).build("t", "decisions", "expected", Scope.CORRECTION);
        assertThat(lines()).containsExactly("c1 inv-1 USD events=1 restated=0 before=1 after=1.2 delta=0.2 correcting=p@v2");
    }

    @Test
    void theDefaultScopeLeavesLiveErrorsToTheAuditAndAllCorrectsThem() {
        event("e1", "c1", 2, "charged", "1.00", 1, "charged", "1.00", 1, "USD", null, 0, 0);
        decision("d1", "e1", "c1", "charged", "1.50", "USD", 1, "inv-1"); // wrong as known already: a live error
        ImpactPass pass = new ImpactPass(duck);
        pass.build("t", "decisions", "expected", Scope.CORRECTION);
        assertThat(lines()).isEmpty();
        assertThat(pass.counts("t").outOfScope()).isEqualTo(1);
        pass.build("t", "decisions", "expected", Scope.ALL);
        assertThat(lines()).containsExactly("c1 inv-1 USD events=1 restated=0 before=1.5 after=1 delta=-0.5 correcting=");
    }

    @Test
    void duplicateDecisionsAreAllSupersededAndACurrencyChangeGivesTwoLines() {
        event("e1", "c1", 2, "charged", "1.00", 1, "charged", "1.10", 2, "EUR", null, 0, 0);
        decision("d1", "e1", "c1", "charged", "1.00", "USD", 1, "inv-1");
        decision("d2", "e1", "c1", "charged", "1.00", "USD", 1, "inv-2");
        new ImpactPass(duck).build("t", "decisions", "expected", Scope.CORRECTION);
        assertThat(lines()).containsExactly(
                "c1 inv-1 EUR events=1 restated=0 before=0 after=1.1 delta=1.1 correcting=p@v2",
                "c1 inv-1 USD events=1 restated=0 before=1 after=0 delta=-1 correcting=p@v2",
                "c1 inv-2 USD events=1 restated=0 before=1 after=0 delta=-1 correcting=p@v2");
        assertThat(duck.queryLong("SELECT len(decision_ids) FROM t_events WHERE in_scope")).isEqualTo(2);
    }

    @Test
    void aQuotaFlipRestatesTheLaterEventsOfItsPeriodOnly() {
        event("e1", "c1", 2, "denied", "0", 1, "charged", "1.00", 1, "USD", "q", 1, 2);   // denied as known, allowed as corrected
        decision("d1", "e1", "c1", "denied", "0", "USD", 1, null);
        event("e0", "c1", 1, "charged", "1.00", 1, "charged", "1.00", 1, "USD", "q", 1, 2); // earlier: untouched
        decision("d0", "e0", "c1", "charged", "1.00", "USD", 1, "inv-1");
        event("e2", "c1", 3, "charged", "1.00", 1, "charged", "1.00", 1, "USD", "q", 1, 2); // later: same amount, restated
        decision("d2", "e2", "c1", "charged", "1.00", "USD", 1, "inv-1");
        event("f2", "c2", 3, "charged", "1.00", 1, "charged", "1.00", 1, "USD", null, 0, 0); // another customer: untouched
        decision("g2", "f2", "c2", "charged", "1.00", "USD", 1, "inv-9");
        new ImpactPass(duck).build("t", "decisions", "expected", Scope.CORRECTION);
        assertThat(lines()).containsExactly(
                "c1 null USD events=1 restated=0 before=0 after=1 delta=1 correcting=q@v2",
                "c1 inv-1 USD events=0 restated=1 before=1 after=1 delta=0 correcting=q@v2");
        assertThat(new ImpactPass(duck).counts("t").restated()).isEqualTo(1);
    }
}
