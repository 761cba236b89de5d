package dev.attest.jobs.audit;

import dev.attest.core.findings.Severity;
import dev.attest.io.input.InputSource;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * Job parameters of the audit job. Only the identity digest identifies the job instance (it already covers
 * every other value); the rest is stored beside it so that run history shows what was asked.
 */
final class AuditParameters {
    static final String IDENTITY = "identity";
    static final String RUN_ID = "run_id";
    /** Who asked and when (e.g. the scheduler's window, due time and lateness): reported, never identifying. */
    static final String CONTEXT = "context";

    private AuditParameters() {}

    static JobParameters of(AuditRequest r, AuditIdentity id, java.util.SortedMap<String, String> context) {
        JobParametersBuilder b = new JobParametersBuilder()
                .addString(IDENTITY, id.digest(), true)
                .addString(RUN_ID, id.runId(), false)
                .addString("policies", r.policies(), false)
                .addString("out", r.outDir().toString(), false)
                .addString("as_of", r.asOf().toString(), false)
                .addString("tolerance", r.tolerance().toPlainString(), false)
                .addString("fail_on", r.failOn().name(), false);
        source(b, "events", r.events());
        source(b, "decisions", r.decisions());
        if (r.from() != null) b.addString("from", r.from().toString(), false);
        if (r.to() != null) b.addString("to", r.to().toString(), false);
        if (r.lateAfter() != null) b.addString("late_after", r.lateAfter().toString(), false);
        if (r.assumeZone() != null) b.addString("assume_zone", r.assumeZone(), false);
        if (r.customers() != null) b.addString("customers", r.customers(), false);
        if (r.carriedState() != null) b.addString("carried_state", r.carriedState(), false);
        if (r.checks() != null) b.addString("checks", r.checks(), false);
        if (!context.isEmpty()) {
            StringBuilder text = new StringBuilder();
            context.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            b.addString(CONTEXT, text.toString(), false);
        }
        return b.toJobParameters();
    }

    private static void source(JobParametersBuilder b, String name, InputSource s) {
        if (s instanceof InputSource.Files f) b.addString(name, f.path(), false);
        else b.addString(name + "_sql", ((InputSource.Sql) s).query(), false);
    }

    static AuditRequest request(JobParameters p) {
        return new AuditRequest(source(p, "events"), source(p, "decisions"), p.getString("policies"), Path.of(p.getString("out")),
                instant(p.getString("from")), instant(p.getString("to")), instant(p.getString("as_of")),
                new BigDecimal(p.getString("tolerance")), p.getString("late_after") == null ? null : Duration.parse(p.getString("late_after")),
                Severity.valueOf(p.getString("fail_on")), p.getString("assume_zone"), p.getString("customers"),
                p.getString("checks"), p.getString("carried_state"));
    }

    static java.util.SortedMap<String, String> context(JobParameters p) {
        java.util.SortedMap<String, String> out = new java.util.TreeMap<>();
        String text = p.getString(CONTEXT);
        if (text != null) for (String line : text.split("\n")) if (!line.isEmpty()) out.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        return out;
    }

    static String runId(JobParameters p) {
        return p.getString(RUN_ID);
    }

    static String identity(JobParameters p) {
        return p.getString(IDENTITY);
    }

    private static InputSource source(JobParameters p, String name) {
        String sql = p.getString(name + "_sql");
        return sql != null ? InputSource.sql(sql) : InputSource.files(p.getString(name));
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }
}
