package dev.attest.scheduler.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowPlanTest {
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static Instant local(String dateTime, ZoneId zone) {
        return java.time.LocalDateTime.parse(dateTime).atZone(zone).toInstant();
    }

    @Test
    void theDayClocksGoForwardIsOneWindowOf23HoursAndTheDayTheyGoBackOneOf25() {
        WindowPlan plan = new WindowPlan("0 30 2 * * ?", BERLIN, new WindowSpec.Calendar(WindowSpec.Unit.DAY), Duration.ofHours(2),
                LocalDate.parse("2026-03-28").atStartOfDay(BERLIN).toInstant(), null);
        List<Window> march = plan.due(null, local("2026-03-31T12:00", BERLIN), 100);
        assertThat(march).extracting(w -> Duration.between(w.start(), w.end()).toHours()).containsExactly(24L, 23L, 24L);
        assertThat(march.get(1).start()).isEqualTo(local("2026-03-29T00:00", BERLIN));
        // Due at the first 02:30 fire after end + 2h allowance: 02:30 local on the next day.
        assertThat(march.get(1).dueAt()).isEqualTo(local("2026-03-30T02:30", BERLIN));

        WindowPlan autumn = new WindowPlan("0 30 2 * * ?", BERLIN, new WindowSpec.Calendar(WindowSpec.Unit.DAY), Duration.ZERO,
                LocalDate.parse("2026-10-24").atStartOfDay(BERLIN).toInstant(), null);
        List<Window> october = autumn.due(null, local("2026-10-27T12:00", BERLIN), 100);
        assertThat(october).extracting(w -> Duration.between(w.start(), w.end()).toHours()).containsExactly(24L, 25L, 24L);
        // 02:30 happens twice on 2026-10-25; Quartz's cron (the trigger's own arithmetic, used here too) takes the second, CET.
        assertThat(october.get(0).dueAt()).isEqualTo(Instant.parse("2026-10-25T01:30:00Z"));
    }

    @Test
    void monthWindowsEndOnTheLastDayWhateverItsLength() {
        WindowPlan plan = new WindowPlan("0 0 6 1 * ?", ZoneId.of("UTC"), new WindowSpec.Calendar(WindowSpec.Unit.MONTH), Duration.ZERO,
                Instant.parse("2024-01-15T00:00:00Z"), null);
        List<Window> w = plan.due(null, Instant.parse("2024-04-01T06:00:00Z"), 100);
        assertThat(w).extracting(Window::start).containsExactly(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-02-01T00:00:00Z"),
                Instant.parse("2024-03-01T00:00:00Z"));
        assertThat(Duration.between(w.get(1).start(), w.get(1).end()).toDays()).as("leap February").isEqualTo(29);
        assertThat(w.get(2).dueAt()).isEqualTo(Instant.parse("2024-04-01T06:00:00Z"));
    }

    @Test
    void aCronRarerThanTheWindowSkipsNoWindowAndAWindowIsNotDueBeforeItsFire() {
        // Weekly cron (Mondays 03:00) over daily windows: a Monday fire makes the week's seven days due together.
        WindowPlan plan = new WindowPlan("0 0 3 ? * MON", ZoneId.of("UTC"), new WindowSpec.Calendar(WindowSpec.Unit.DAY), Duration.ZERO,
                Instant.parse("2026-01-05T00:00:00Z"), null);
        assertThat(plan.due(null, Instant.parse("2026-01-12T02:59:59Z"), 100)).isEmpty();
        List<Window> w = plan.due(null, Instant.parse("2026-01-12T03:00:00Z"), 100);
        assertThat(w).hasSize(7).allSatisfy(x -> assertThat(x.dueAt()).isEqualTo(Instant.parse("2026-01-12T03:00:00Z")));
    }

    @Test
    void listingResumesAfterAGivenBoundaryAndStopsAtTheEnd() {
        WindowPlan plan = new WindowPlan("0 0 1 * * ?", ZoneId.of("UTC"), new WindowSpec.Calendar(WindowSpec.Unit.DAY), Duration.ZERO,
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-04T00:00:00Z"));
        assertThat(plan.due(Instant.parse("2026-01-02T00:00:00Z"), Instant.parse("2026-02-01T00:00:00Z"), 100)).extracting(Window::start)
                .containsExactly(Instant.parse("2026-01-02T00:00:00Z"), Instant.parse("2026-01-03T00:00:00Z"));
    }

    @Test
    void fixedWindowsCountFromTheStartAndNeedTheirFire() {
        WindowPlan plan = new WindowPlan("0 */5 * * * ?", ZoneId.of("UTC"), new WindowSpec.Fixed(Duration.ofMinutes(5)), Duration.ofMinutes(1),
                Instant.parse("2026-01-01T00:00:00Z"), null);
        List<Window> w = plan.due(null, Instant.parse("2026-01-01T00:14:59Z"), 100);
        // [00:00,00:05) ready at 00:06, due at the 00:10 fire; [00:05,00:10) ready 00:11, due 00:15 (not yet).
        assertThat(w).extracting(Window::dueAt).containsExactly(Instant.parse("2026-01-01T00:10:00Z"));
        assertThat(plan.floor(Instant.parse("2026-01-01T00:07:30Z"))).isEqualTo(Instant.parse("2026-01-01T00:05:00Z"));
    }
}
