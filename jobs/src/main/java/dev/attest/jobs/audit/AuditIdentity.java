package dev.attest.jobs.audit;

import dev.attest.io.input.InputFiles;
import dev.attest.io.input.InputSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A run's identity: the window, the knowledge cut-off, the parameters and the SHA-256 of every input file.
 * The same identity is the same Spring Batch job instance: it is never run twice, and a failed one restarts.
 * A SQL input is identified by its text (what it reads is not visible to us).
 */
public record AuditIdentity(String digest, String runId) {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    public static AuditIdentity of(AuditRequest r) {
        StringBuilder canon = new StringBuilder();
        canon.append("attest-audit/1\n");
        line(canon, "from", r.from());
        line(canon, "to", r.to());
        line(canon, "as_of", r.asOf());
        line(canon, "tolerance", r.tolerance().stripTrailingZeros().toPlainString());
        line(canon, "late_after", r.lateAfter());
        line(canon, "fail_on", r.failOn());
        line(canon, "assume_zone", r.assumeZone());
        line(canon, "out", r.outDir());
        source(canon, "events", r.events());
        source(canon, "decisions", r.decisions());
        policies(canon, r.policies());
        String digest = sha256(canon.toString());
        return new AuditIdentity(digest, STAMP.format(r.asOf()) + "-" + digest.substring(0, 10));
    }

    /** Appends an input's identity: each file with its SHA-256, or a SQL input's text. */
    public static void source(StringBuilder canon, String name, InputSource s) {
        if (s instanceof InputSource.Sql q) {
            line(canon, name + ".sql", q.query());
            return;
        }
        for (InputFiles.DataFile file : InputFiles.resolve(name, ((InputSource.Files) s).path()))
            line(canon, name + ".file", file.path() + " " + InputFiles.sha256(file.path()));
    }

    private static void policies(StringBuilder canon, String path) {
        Path p = Path.of(path).toAbsolutePath().normalize();
        List<Path> files;
        if (Files.isDirectory(p)) {
            try (Stream<Path> walk = Files.walk(p)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot list policies " + p, e);
            }
        } else files = List.of(p);
        for (Path f : files) if (Files.isRegularFile(f)) line(canon, "policies.file", f + " " + InputFiles.sha256(f));
    }

    public static void line(StringBuilder sb, String key, Object value) {
        sb.append(key).append('=').append(value == null ? "" : value.toString().replace("\n", "\\n")).append('\n');
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
