package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.attest.io.duck.Duck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz property (issue 13): valid events or decisions, as CSV, JSON Lines or Parquet, mutated (bytes flipped, lines
 * cut, fields swapped, lines dropped or doubled, the file truncated) are audited: the exit status is 0, 1 or 2, never 3,
 * and no stack trace reaches the console. Tries: system property attest.fuzz.tries (the parent pom sets 25; -Plong
 * sets 1000); attest.fuzz.seed fixes another seed.
 */
class BadInputFuzzIT {
    static final Path BASE = BadInputCorpusIT.CORPUS.resolve("_base");
    static final String[] FORMATS = {"csv", "jsonl", "parquet"};
    static final String[] INPUTS = {"events", "decisions"};

    @TempDir
    Path tmp;

    private final AtomicInteger n = new AtomicInteger();

    @Test
    void mutatedInputsNeverFailInternally() {
        int tries = Integer.getInteger("attest.fuzz.tries", 25);
        long seed = Long.getLong("attest.fuzz.seed", 13L);
        qt().withExamples(tries).withShrinkCycles(10).withFixedSeed(seed)
                .forAll(integers().between(0, FORMATS.length - 1), integers().between(0, INPUTS.length - 1), longs().all())
                .checkAssert((format, input, mutation) -> {
                    Path dir = tmp.resolve("try-" + n.incrementAndGet());
                    try {
                        Files.createDirectories(dir);
                        Path file = valid(dir, INPUTS[input], FORMATS[format]);
                        String done = mutate(file, new Random(mutation));
                        String other = INPUTS[1 - input];
                        List<String> args = new ArrayList<>(List.of("audit", "--" + INPUTS[input], file.toString(),
                                "--" + other, BASE.resolve(other + ".csv").toString(), "--policies", BASE.resolve("policies").toString(),
                                "--out", dir.resolve("runs").toString(), "--as-of", BadInputCorpusIT.AS_OF,
                                "--metadata", Metadata.h2(tmp.resolve("meta"))));
                        ScenarioIT.Run run = ScenarioIT.Run.of(args.toArray(String[]::new));
                        String why = FORMATS[format] + " " + INPUTS[input] + " " + done + ":\n" + run.stderr();
                        assertThat(run.exit()).as(why).isBetween(0, 2);
                        BadInputCorpusIT.assertNoStackTrace(run.stderr());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    /** The base input (four rows) in the format asked, repeated to 12 rows so that mutations have room. */
    static Path valid(Path dir, String input, String format) throws IOException {
        List<String> lines = Files.readAllLines(BASE.resolve(input + ".csv"));
        List<String> rows = new ArrayList<>();
        for (int k = 0; k < 3; k++)
            for (String r : lines.subList(1, lines.size())) rows.add(k == 0 ? r : r.replaceFirst("^([de])(\\d)", "$1$2" + k)
                    .replaceFirst(",e(\\d),", ",e$1" + k + ","));
        Path csv = dir.resolve(input + ".csv");
        Files.writeString(csv, lines.get(0) + "\n" + String.join("\n", rows) + "\n");
        if (format.equals("csv")) return csv;
        Path out = dir.resolve(input + "." + format);
        try (Duck duck = Duck.inMemory()) {
            String read = "read_csv(" + Duck.literal(csv.toString()) + ", header=true)";
            if (format.equals("parquet"))
                duck.execute("COPY (SELECT * FROM " + read + ") TO " + Duck.literal(out.toString()) + " (FORMAT parquet)");
            else
                duck.execute("COPY (SELECT * FROM " + read + ") TO " + Duck.literal(out.toString()) + " (FORMAT json)");
        }
        Files.delete(csv);
        return out;
    }

    /** One to three mutations of the file's bytes; returns what was done (for the failure message). */
    static String mutate(Path file, Random r) throws IOException {
        byte[] b = Files.readAllBytes(file);
        List<String> done = new ArrayList<>();
        int count = 1 + r.nextInt(3);
        for (int i = 0; i < count && b.length > 0; i++) {
            switch (r.nextInt(7)) {
                case 0 -> { // flip bytes
                    int k = 1 + r.nextInt(8);
                    for (int j = 0; j < k; j++) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                    done.add("flipped " + k + " bytes");
                }
                case 1 -> { // cut a line short: drop the rest of it from a random point
                    int at = r.nextInt(b.length);
                    int end = at;
                    while (end < b.length && b[end] != '\n') end++;
                    b = concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, end, b.length));
                    done.add("cut a line at " + at);
                }
                case 2 -> { // swap two fields of a line
                    String[] lines = new String(b, StandardCharsets.ISO_8859_1).split("\n", -1);
                    int l = r.nextInt(lines.length);
                    String[] f = lines[l].split(",", -1);
                    if (f.length > 1) {
                        int x = r.nextInt(f.length), y = r.nextInt(f.length);
                        String t = f[x];
                        f[x] = f[y];
                        f[y] = t;
                        lines[l] = String.join(",", f);
                    }
                    b = String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
                    done.add("swapped fields in line " + (l + 1));
                }
                case 3 -> { // drop or double a line
                    String[] lines = new String(b, StandardCharsets.ISO_8859_1).split("\n", -1);
                    List<String> out = new ArrayList<>(Arrays.asList(lines));
                    int l = r.nextInt(out.size());
                    if (r.nextBoolean()) out.remove(l);
                    else out.add(l, out.get(l));
                    b = String.join("\n", out).getBytes(StandardCharsets.ISO_8859_1);
                    done.add("dropped or doubled line " + (l + 1));
                }
                case 4 -> { // truncate the file
                    int at = r.nextInt(b.length);
                    b = Arrays.copyOf(b, at);
                    done.add("truncated at " + at);
                }
                case 5 -> { // insert odd bytes: a quote, a CR, a NUL, a byte that is not UTF-8
                    byte[] odd = {'"', '\r', 0, (byte) 0xff, '{', ','};
                    int at = r.nextInt(b.length + 1);
                    b = concat(concat(Arrays.copyOfRange(b, 0, at), new byte[] {odd[r.nextInt(odd.length)]}), Arrays.copyOfRange(b, at, b.length));
                    done.add("inserted a byte at " + at);
                }
                default -> { // overwrite a run of bytes with zeros (a damaged block)
                    int at = r.nextInt(b.length);
                    int len = Math.min(b.length - at, 1 + r.nextInt(64));
                    Arrays.fill(b, at, at + len, (byte) 0);
                    done.add("zeroed " + len + " bytes at " + at);
                }
            }
        }
        Files.write(file, b);
        return String.join(", ", done);
    }

    private static byte[] concat(byte[] a, byte[] c) {
        byte[] out = Arrays.copyOf(a, a.length + c.length);
        System.arraycopy(c, 0, out, a.length, c.length);
        return out;
    }
}
