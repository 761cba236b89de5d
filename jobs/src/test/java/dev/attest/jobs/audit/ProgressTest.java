package dev.attest.jobs.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The progress line: a bar redrawn in place on a terminal, plain lines otherwise; the time left as people write it. */
class ProgressTest {
    @Test
    void aTerminalGetsABarRedrawnInPlaceEndedByANewline() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Progress p = new Progress("rating", new PrintStream(out, true, StandardCharsets.UTF_8), true);
        p.update(100, 100);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("\rattest: rating [########################] 100 / 100 events (100 %)").endsWith("\n");
    }

    @Test
    void aFileGetsPlainLinesWithTheRateAndTheTimeLeft() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Progress p = new Progress("rating", new PrintStream(out, true, StandardCharsets.UTF_8), false);
        String line = p.line(250_000, 1_000_000, System.nanoTime() + 10_000_000_000L);
        assertThat(line).startsWith("attest: rating 250,000 / 1,000,000 events (25 %), ").contains(" events/s, ").endsWith(" s left");
        assertThat(line).doesNotContain("[", "\r");
    }
}
