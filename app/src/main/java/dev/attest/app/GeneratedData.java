package dev.attest.app;

import dev.attest.core.findings.Severity;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.audit.AuditRequest;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A folder written by `attest generate`, and the audit its ground truth assumes. */
record GeneratedData(Path dir, JsonNode truth) {
    static GeneratedData read(Path dir) throws IOException {
        return new GeneratedData(dir, JsonMapper.builder().build().readTree(Files.readString(dir.resolve("truth.json"))));
    }

    AuditRequest auditRequest(Path out) {
        JsonNode p = truth.path("parameters");
        return new AuditRequest(InputSource.files(dir.resolve("events").toString()), InputSource.files(dir.resolve("decisions").toString()),
                dir.resolve("policies").toString(), out, instant(p, "from"), instant(p, "to"), instant(p, "as_of"),
                p.hasNonNull("tolerance") ? new BigDecimal(p.get("tolerance").asString()) : BigDecimal.ZERO,
                p.hasNonNull("late_after") ? Duration.parse(p.get("late_after").asString()) : null, Severity.ERROR, null, customers());
    }

    /** The generated customers input (billing cycles), when the data has one. */
    String customers() {
        Path c = dir.resolve(CUSTOMERS_FILE);
        return Files.isRegularFile(c) ? c.toString() : null;
    }

    static final String CUSTOMERS_FILE = dev.attest.generator.Generator.CUSTOMERS_FILE;

    /** The `attest audit` arguments of {@link #auditRequest}: the audit the truth assumes, from the command line. */
    List<String> auditArguments(Path out, String metadataUrl) {
        AuditRequest r = auditRequest(out);
        List<String> args = new ArrayList<>(List.of("audit", "--events", dir.resolve("events").toString(),
                "--decisions", dir.resolve("decisions").toString(), "--policies", dir.resolve("policies").toString(),
                "--out", out.toString(), "--metadata", metadataUrl, "--as-of", r.asOf().toString(),
                "--tolerance", r.tolerance().toPlainString()));
        if (r.from() != null) args.addAll(List.of("--from", r.from().toString()));
        if (r.to() != null) args.addAll(List.of("--to", r.to().toString()));
        if (r.lateAfter() != null) args.addAll(List.of("--late-after", r.lateAfter().toString()));
        if (r.customers() != null) args.addAll(List.of("--customers", r.customers()));
        return args;
    }

    /** (code, event_id, decision_id) of every finding the truth expects, sorted. */
    List<String> expectedFindings() {
        List<String> out = new ArrayList<>();
        for (JsonNode f : truth.path("expected_findings"))
            out.add(f.path("code").asString() + "," + text(f, "event_id") + "," + text(f, "decision_id"));
        return out.stream().sorted().toList();
    }

    private static String text(JsonNode f, String field) {
        return f.hasNonNull(field) ? f.get(field).asString() : "";
    }

    private static Instant instant(JsonNode p, String key) {
        return p.hasNonNull(key) ? Instant.parse(p.get(key).asString()) : null;
    }
}
