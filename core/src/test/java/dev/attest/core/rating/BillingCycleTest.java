package dev.attest.core.rating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Worked examples of contracts section 10 at every boundary it names. */
class BillingCycleTest {
    static BillingCycle cycle(int anchor, String zone) {
        return BillingCycle.parse(anchor, zone);
    }

    static Instant t(String s) {
        return Instant.parse(s);
    }

    @Test
    void oneMicrosecondBeforeTheStartBelongsToThePreviousPeriodAndTheStartToTheNew() {
        BillingCycle c = cycle(15, "UTC");
        BillingPeriod at = c.periodOf(t("2026-11-15T00:00:00Z"));
        BillingPeriod before = c.periodOf(t("2026-11-14T23:59:59.999999Z"));
        assertThat(at.toString()).isEqualTo("2026-11-15");
        assertThat(at.start()).isEqualTo(t("2026-11-15T00:00:00Z"));
        assertThat(at.end()).isEqualTo(t("2026-12-15T00:00:00Z"));
        assertThat(before.toString()).isEqualTo("2026-10-15");
        assertThat(before.end()).isEqualTo(at.start());
    }

    @Test
    void localMidnightInTheCustomersZoneOnBothSidesOfUtc() {
        // East of UTC: Tokyo's 1 November starts at 15:00 UTC on 31 October.
        BillingCycle tokyo = cycle(1, "Asia/Tokyo");
        assertThat(tokyo.periodOf(t("2026-10-31T15:00:00Z")).toString()).isEqualTo("2026-11-01");
        assertThat(tokyo.periodOf(t("2026-10-31T14:59:59.999999Z")).toString()).isEqualTo("2026-10-01");
        // West of UTC: Los Angeles' 1 November (PDT, -07:00) starts at 07:00 UTC.
        BillingCycle la = cycle(1, "America/Los_Angeles");
        assertThat(la.periodOf(t("2026-11-01T06:59:59.999999Z")).toString()).isEqualTo("2026-10-01");
        assertThat(la.periodOf(t("2026-11-01T07:00:00Z")).start()).isEqualTo(t("2026-11-01T07:00:00Z"));
    }

    @Test
    void anchor31InFebruaryOfALeapAndACommonYear() {
        BillingCycle c = cycle(31, "UTC");
        assertThat(c.start(YearMonth.of(2028, 2))).isEqualTo(t("2028-02-29T00:00:00Z"));
        assertThat(c.start(YearMonth.of(2027, 2))).isEqualTo(t("2027-02-28T00:00:00Z"));
        // 31 Jan, 28 Feb, 31 Mar, 30 Apr: the January period of 2027 ends on 28 February.
        BillingPeriod jan = c.periodOf(t("2027-02-27T23:59:59.999999Z"));
        assertThat(jan.toString()).isEqualTo("2027-01-31");
        assertThat(jan.end()).isEqualTo(t("2027-02-28T00:00:00Z"));
        BillingPeriod feb = c.periodOf(t("2027-02-28T00:00:00Z"));
        assertThat(feb.toString()).isEqualTo("2027-02-28");
        assertThat(feb.end()).isEqualTo(t("2027-03-31T00:00:00Z"));
        assertThat(c.periodOf(t("2027-04-30T00:00:00Z")).toString()).isEqualTo("2027-04-30");
        assertThat(c.periodOf(t("2027-04-29T23:59:59Z")).toString()).isEqualTo("2027-03-31");
        // Leap year: 29 February 2028 starts a period; the 28th still belongs to January's.
        assertThat(c.periodOf(t("2028-02-28T12:00:00Z")).toString()).isEqualTo("2028-01-31");
        assertThat(c.periodOf(t("2028-02-29T00:00:00Z")).toString()).isEqualTo("2028-02-29");
    }

    @Test
    void anchors29And30ClampInShortMonths() {
        assertThat(cycle(29, "UTC").startDate(YearMonth.of(2027, 2))).isEqualTo(LocalDate.of(2027, 2, 28));
        assertThat(cycle(29, "UTC").startDate(YearMonth.of(2028, 2))).isEqualTo(LocalDate.of(2028, 2, 29));
        assertThat(cycle(30, "UTC").startDate(YearMonth.of(2027, 2))).isEqualTo(LocalDate.of(2027, 2, 28));
        assertThat(cycle(30, "UTC").startDate(YearMonth.of(2027, 4))).isEqualTo(LocalDate.of(2027, 4, 30));
    }

    @Test
    void aPeriodThatSpansADstChangeIsAnHourShorterOrLonger() {
        BillingCycle ny = cycle(1, "America/New_York");
        BillingPeriod march = ny.periodOf(t("2026-03-20T12:00:00Z"));
        assertThat(march.start()).isEqualTo(t("2026-03-01T05:00:00Z")); // EST
        assertThat(march.end()).isEqualTo(t("2026-04-01T04:00:00Z"));   // EDT: 8 March moved clocks forward
        assertThat(java.time.Duration.between(march.start(), march.end()).toHours()).isEqualTo(31 * 24 - 1);
        BillingCycle berlin = cycle(15, "Europe/Berlin");
        BillingPeriod oct = berlin.periodOf(t("2026-10-20T00:00:00Z"));
        assertThat(oct.start()).isEqualTo(t("2026-10-14T22:00:00Z")); // CEST
        assertThat(oct.end()).isEqualTo(t("2026-11-14T23:00:00Z"));   // CET: 25 October moved clocks back
        assertThat(java.time.Duration.between(oct.start(), oct.end()).toHours()).isEqualTo(31 * 24 + 1);
    }

    @Test
    void localMidnightInsideADstGapStartsThePeriodAtTheFirstInstantAfterTheGap() {
        // Havana moves 2026-03-08 00:00 (-05:00) straight to 01:00 (-04:00): midnight does not exist that day.
        BillingCycle havana = cycle(8, "America/Havana");
        BillingPeriod march = havana.periodOf(t("2026-03-08T05:00:00Z"));
        assertThat(march.start()).isEqualTo(t("2026-03-08T05:00:00Z"));
        assertThat(march.toString()).isEqualTo("2026-03-08");
        // The last microsecond before the gap (23:59:59.999999 on the 7th, -05:00) is still February's period.
        assertThat(havana.periodOf(t("2026-03-08T04:59:59.999999Z")).toString()).isEqualTo("2026-02-08");
        assertThat(havana.periodOf(t("2026-03-08T04:59:59.999999Z")).end()).isEqualTo(march.start());
    }

    @Test
    void closedWhenTheEndIsAtOrBeforeTheCutoff() {
        BillingPeriod p = cycle(15, "UTC").periodOf(t("2026-11-20T00:00:00Z"));
        assertThat(p.closedAt(t("2026-12-15T00:00:00Z"))).isTrue();
        assertThat(p.closedAt(t("2026-12-14T23:59:59.999999Z"))).isFalse();
    }

    @Test
    void theDefaultIsTheUtcCalendarMonthNamedByItsFirstDay() {
        BillingPeriod p = BillingPeriod.of(t("2026-11-30T23:59:59Z"));
        assertThat(p.cycle()).isEqualTo(BillingCycle.CALENDAR_MONTH_UTC);
        assertThat(p.toString()).isEqualTo("2026-11-01");
        assertThat(p.start()).isEqualTo(t("2026-11-01T00:00:00Z"));
        assertThat(BillingCycles.calendarMonths().of("anyone")).isEqualTo(BillingCycle.CALENDAR_MONTH_UTC);
        assertThat(cycle(1, "UTC")).isEqualTo(BillingCycle.CALENDAR_MONTH_UTC);
        assertThat(cycle(1, "Etc/UTC").isCalendarMonthUtc()).isTrue();
    }

    @Test
    void badValuesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> cycle(0, "UTC")).hasMessageContaining("1..31");
        assertThatThrownBy(() -> cycle(32, "UTC")).hasMessageContaining("1..31");
        assertThatThrownBy(() -> cycle(1, "Mars/Olympus")).hasMessageContaining("not a known IANA time zone");
        assertThatThrownBy(() -> cycle(1, "+02:00")).hasMessageContaining("fixed offset");
        assertThatThrownBy(() -> cycle(1, "")).hasMessageContaining("empty");
        assertThat(new BillingCycle(1, ZoneId.of("UTC"))).isEqualTo(new BillingCycle(1, ZoneOffset.UTC));
    }
}
