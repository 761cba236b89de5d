package dev.attest.jobs.audit;

import dev.attest.engine.audit.AuditWindow;
import dev.attest.io.customers.CustomersLoader;
import dev.attest.io.input.InputFiles;
import dev.attest.io.input.InputSelection;
import dev.attest.io.input.ScanBounds;
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
 * A SQL input is identified by its text (what it reads is not visible to us). The run id leaves the output
 * folder and the inputs' locations out (see {@link #of}).
 */
public record AuditIdentity(String digest, String runId) {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    public static AuditIdentity of(AuditRequest r) {
        // Two canonical texts: `content` (what was asked of which bytes) names the run, wherever the inputs lie
        // and wherever its folder is written, so `attest verify` re-runs it elsewhere and gets byte-identical
        // outputs (findings carry the run id); `full` adds the paths and the output folder and is the job
        // instance: one audit may be written to two places.
        StringBuilder content = new StringBuilder();
        StringBuilder full = new StringBuilder();
        for (StringBuilder canon : List.of(content, full)) {
            canon.append("attest-audit/1\n");
            line(canon, "from", r.from());
            line(canon, "to", r.to());
            line(canon, "as_of", r.asOf());
            line(canon, "tolerance", r.tolerance().stripTrailingZeros().toPlainString());
            line(canon, "late_after", r.lateAfter());
            line(canon, "fail_on", r.failOn());
            line(canon, "assume_zone", r.assumeZone());
        }
        // The files the audit reads: those whose date partition can hold rows of its scope (skipped ones do not
        // identify it, so that a night's audit is the same run whatever else the lake holds).
        AuditWindow window = new AuditWindow(r.from(), r.to(), r.asOf(), CustomersLoader.load(r.customers()));
        ScanBounds bounds = (r.carriedState() != null ? window.carriedFromState() : window).scanBounds();
        // A run from a carried state is identified by that state (which pins the files of the periods' earlier days).
        if (r.carriedState() != null) {
            line(content, "carried_state", r.carriedState());
            line(full, "carried_state", r.carriedState());
        }
        source(content, full, "events", r.events(), bounds);
        source(content, full, "decisions", r.decisions(), bounds);
        policies(content, full, r.policies());
        customers(content, full, r.customers());
        checks(content, full, r.checks());
        line(full, "out", r.outDir());
        return new AuditIdentity(sha256(full.toString()), STAMP.format(r.asOf()) + "-" + sha256(content.toString()).substring(0, 10));
    }

    private static void source(StringBuilder content, StringBuilder full, String name, InputSource s, ScanBounds bounds) {
        if (s instanceof InputSource.Sql q) {
            line(content, name + ".sql", q.query());
            line(full, name + ".sql", q.query());
            return;
        }
        for (InputFiles.DataFile file : InputSelection.select(name, ((InputSource.Files) s).path(), bounds.from(name), bounds.to(name)).read()) {
            String sha = InputFiles.sha256(file.path());
            line(content, name + ".file", sha);
            line(full, name + ".file", file.path() + " " + sha);
        }
    }

    /**
     * The customers input (contracts section 10), when given: each file's SHA-256. Without one nothing is added, so
     * that runs without customers keep the identity (and run id) they had before the input existed.
     */
    private static void customers(StringBuilder content, StringBuilder full, String path) {
        if (path == null) return;
        for (InputFiles.DataFile file : InputFiles.resolve("customers", path)) {
            String sha = InputFiles.sha256(file.path());
            line(content, "customers.file", sha);
            line(full, "customers.file", file.path() + " " + sha);
        }
    }

    /**
     * The checks file (issue 14), when given: its SHA-256. Without one nothing is added, so that runs without checks
     * keep the identity (and run id) they had before checks files existed.
     */
    private static void checks(StringBuilder content, StringBuilder full, String path) {
        if (path == null) return;
        Path f = Path.of(path);
        if (!Files.isRegularFile(f)) throw new IllegalArgumentException("checks file " + path + ": no such file");
        String sha = InputFiles.sha256(f);
        line(content, "checks.file", sha);
        line(full, "checks.file", f + " " + sha);
    }

    /** Appends the checks file's identity, if any: its path and SHA-256. */
    public static void checks(StringBuilder canon, String path) {
        checks(new StringBuilder(), canon, path);
    }

    /** Appends the customers input's identity, if any: each file with its path and SHA-256. */
    public static void customers(StringBuilder canon, String path) {
        customers(new StringBuilder(), canon, path);
    }

    /** Appends an input's identity: each file with its path and SHA-256, or a SQL input's text. */
    public static void source(StringBuilder canon, String name, InputSource s) {
        source(new StringBuilder(), canon, name, s, ScanBounds.ALL);
    }

    /** As {@link #source(StringBuilder, String, InputSource)}, of the files an audit with these bounds reads. */
    public static void source(StringBuilder canon, String name, InputSource s, ScanBounds bounds) {
        source(new StringBuilder(), canon, name, s, bounds);
    }

    private static void policies(StringBuilder content, StringBuilder full, String path) {
        Path p = Path.of(path).toAbsolutePath().normalize();
        List<Path> files;
        if (Files.isDirectory(p)) {
            try (Stream<Path> walk = Files.walk(p)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot list policies " + p, e);
            }
        } else files = List.of(p);
        for (Path f : files) {
            if (!Files.isRegularFile(f)) continue;
            String sha = InputFiles.sha256(f);
            line(content, "policies.file", (Files.isDirectory(p) ? p.relativize(f) : f.getFileName()) + " " + sha);
            line(full, "policies.file", f + " " + sha);
        }
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
