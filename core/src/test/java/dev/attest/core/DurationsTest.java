package dev.attest.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void twoLargestUnitsAsPeopleWriteThem() {
        assertThat(Durations.human(Duration.ofHours(165))).isEqualTo("6 d 21 h");
        assertThat(Durations.human(Duration.ofDays(2))).isEqualTo("2 d");
        assertThat(Durations.human(Duration.ofMinutes(185))).isEqualTo("3 h 5 min");
        assertThat(Durations.human(Duration.ofHours(1))).isEqualTo("1 h");
        assertThat(Durations.human(Duration.ofSeconds(90))).isEqualTo("1 min 30 s");
        assertThat(Durations.human(Duration.ofSeconds(42))).isEqualTo("42 s");
        assertThat(Durations.human(Duration.ofMillis(400))).isEqualTo("0.4 s");
        assertThat(Durations.human(Duration.ofHours(-2))).isEqualTo("-2 h");
    }
}
