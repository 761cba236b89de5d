package dev.attest.jobs.backfill;

import dev.attest.engine.backfill.Scope;
import dev.attest.io.input.InputSource;
import java.nio.file.Path;
import java.time.Instant;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/** Job parameters of both backfill jobs: the preview id identifies the instance; the rest says what was asked. */
final class BackfillParameters {
    static final String PREVIEW_ID = "preview_id";

    private BackfillParameters() {}

    static JobParameters of(BackfillRequest r, BackfillIdentity id) {
        JobParametersBuilder b = new JobParametersBuilder()
                .addString(PREVIEW_ID, id.previewId(), true)
                .addString("digest", id.digest(), false)
                .addString("policies", r.policies(), false)
                .addString("out", r.outDir().toString(), true) // the same correction written elsewhere is another run
                .addString("from", r.from().toString(), false)
                .addString("to", r.to().toString(), false)
                .addString("as_of", r.asOf().toString(), false)
                .addString("scope", r.scope().wire(), false);
        source(b, "events", r.events());
        source(b, "decisions", r.decisions());
        if (r.assumeZone() != null) b.addString("assume_zone", r.assumeZone(), false);
        if (r.customers() != null) b.addString("customers", r.customers(), false);
        return b.toJobParameters();
    }

    private static void source(JobParametersBuilder b, String name, InputSource s) {
        if (s instanceof InputSource.Files f) b.addString(name, f.path(), false);
        else b.addString(name + "_sql", ((InputSource.Sql) s).query(), false);
    }

    static BackfillRequest request(JobParameters p) {
        return new BackfillRequest(source(p, "events"), source(p, "decisions"), p.getString("policies"), Path.of(p.getString("out")),
                Instant.parse(p.getString("from")), Instant.parse(p.getString("to")), Instant.parse(p.getString("as_of")),
                Scope.parse(p.getString("scope")), p.getString("assume_zone"), p.getString("customers"));
    }

    private static InputSource source(JobParameters p, String name) {
        String sql = p.getString(name + "_sql");
        return sql != null ? InputSource.sql(sql) : InputSource.files(p.getString(name));
    }
}
