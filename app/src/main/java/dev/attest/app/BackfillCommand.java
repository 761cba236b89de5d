package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.engine.backfill.Scope;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.backfill.BackfillLauncher;
import dev.attest.jobs.backfill.BackfillOutcome;
import dev.attest.jobs.backfill.BackfillRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@Command(name = "backfill", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "Preview, then apply, what a correcting policy version changes in the books of a window.", sortOptions = false,
        description = {
                "Re-rate the window [--from, --to) as corrected (knowledge cut-off --as-of) and compare with what was decided. "
                        + "Without --apply (a dry run): write OUT/backfill-<preview-id>/preview/ (impact per customer, meter, billing "
                        + "period and invoice; summary.json) and print the preview id and the exact apply command. With --apply --preview"
                        + " ID (or --yes): write corrected decisions and credit/debit adjustments into a new dataset "
                        + "OUT/corrections/<id>/, verified by re-checking the corrected books; nothing earlier is changed. The last line "
                        + "printed is the folder written (preview, or correction dataset).",
                "Exit status: 0 done, 2 bad usage or input (also: inputs changed since the named preview), 3 internal failure."})
public final class BackfillCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    AuditCommand.EventsSource events;

    @ArgGroup(exclusive = true, multiplicity = "1")
    AuditCommand.DecisionsSource decisions;

    @Option(names = "--policies", required = true, paramLabel = "PATH",
            description = "The policy registry, including the correcting version(s) (a folder of YAML/JSON files, or a flat table).")
    String policies;

    @Option(names = "--customers", paramLabel = "PATH",
            description = "Billing cycles per customer (customer_id, billing_anchor_day, billing_zone): a Parquet/CSV/JSON Lines file, "
                    + "a folder or a glob. Customers it does not list, and every customer without it, are billed on UTC calendar months.")
    String customers;

    @Option(names = "--from", required = true, paramLabel = "T", converter = Times.InstantConverter.class,
            description = "Start of the window on event_time, inclusive.")
    Instant from;

    @Option(names = "--to", required = true, paramLabel = "T", converter = Times.InstantConverter.class, description = "End of the window, exclusive.")
    Instant to;

    @Option(names = "--as-of", paramLabel = "T", converter = Times.InstantConverter.class,
            description = "Knowledge cut-off of the as-corrected view (default: now; with --apply --preview ID: the preview's).")
    Instant asOf;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where previews and correction datasets are written.")
    Path out;

    @Option(names = "--scope", paramLabel = "SCOPE", defaultValue = "correction",
            description = "correction (default): only events whose expectation a correction changed; all: also events the live system "
                    + "got wrong against the rules it knew.")
    String scope;

    @Option(names = "--assume-zone", paramLabel = "ZONE", description = "Zone of timestamps that carry no offset.")
    String assumeZone;

    @Option(names = "--apply", description = "Write the correction dataset. Needs --preview ID (the preview you read) or --yes.")
    boolean apply;

    @Option(names = "--preview", paramLabel = "ID", description = "With --apply: the preview id; refused (exit 2) when the inputs changed since.")
    String previewId;

    @Option(names = "--yes", description = "With --apply: apply without naming a preview.")
    boolean yes;

    @Option(names = "--metadata", paramLabel = "JDBC_URL",
            description = "Run-history database (Spring Batch JobRepository). Default: $ATTEST_METADATA_URL, else an H2 file in ~/.attest.")
    String metadata;

    @Override
    public Integer call() {
        BackfillRequest request;
        try {
            if (!apply && (previewId != null || yes)) throw new IllegalArgumentException("--preview and --yes only go with --apply");
            if (apply && previewId == null && !yes)
                throw new IllegalArgumentException("--apply needs --preview ID (run without --apply first and read the impact) or --yes");
            if (apply && previewId != null && yes) throw new IllegalArgumentException("give either --preview ID or --yes, not both");
            if (assumeZone != null) ZoneId.of(assumeZone);
            Instant cutoff = asOf != null ? asOf : apply && previewId != null ? previewAsOf() : Clock.systemUTC().instant().truncatedTo(ChronoUnit.MILLIS);
            request = new BackfillRequest(
                    events.path != null ? InputSource.files(events.path) : InputSource.sql(events.sql),
                    decisions.path != null ? InputSource.files(decisions.path) : InputSource.sql(decisions.sql),
                    policies, out, from, to, cutoff, Scope.parse(scope), assumeZone, customers);
        } catch (RuntimeException e) {
            System.err.println("attest: " + e.getMessage());
            return 2;
        }
        try (ConfigurableApplicationContext ctx = AttestBoot.start(Metadata.url(metadata))) {
            BackfillLauncher launcher = ctx.getBean(BackfillLauncher.class);
            return report(apply ? launcher.apply(request, previewId) : launcher.preview(request));
        }
    }

    /** The cut-off the named preview used, so that `--apply --preview ID` recomputes the same id. */
    private Instant previewAsOf() {
        Path summary = out.resolve("backfill-" + previewId).resolve("preview").resolve("summary.json");
        if (!Files.isRegularFile(summary))
            throw new IllegalArgumentException("no preview " + previewId + " under " + out + " (" + summary + "); give --as-of, or preview first");
        try {
            JsonNode json = JsonMapper.builder().build().readTree(Files.readString(summary));
            return Instant.parse(json.path("as_of").asString());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read " + summary + ": " + e.getMessage());
        }
    }

    static int report(BackfillOutcome outcome) {
        if (outcome instanceof BackfillOutcome.Previewed p) {
            Path summary = p.previewDir().resolve("summary.json");
            System.err.println("attest: preview " + p.previewId() + (p.alreadyDone() ? " (already previewed: same inputs)" : ""));
            printSummary(summary);
            System.out.println(p.previewDir());
        } else if (outcome instanceof BackfillOutcome.Applied a) {
            if (a.alreadyApplied()) {
                System.err.println("attest: correction " + a.previewId() + " is already applied: nothing new was written");
                System.out.println(a.datasetDir());
            } else if (a.datasetDir() == null) {
                System.err.println("attest: nothing to correct: the books already agree with the as-corrected view; no dataset was written");
                System.out.println(a.previewDir());
            } else {
                System.err.printf("attest: applied correction %s: %,d corrected decision(s), %,d adjustment line(s); verified clean%n",
                        a.previewId(), a.correctedDecisions(), a.adjustmentLines());
                System.out.println(a.datasetDir());
            }
        } else if (outcome instanceof BackfillOutcome.InputsChanged c) {
            System.err.println("attest: refused: the inputs changed since preview " + c.expectedPreviewId() + " (they now give preview "
                    + c.actualPreviewId() + "); preview again and read the new impact before applying");
        } else if (outcome instanceof BackfillOutcome.BadInput b) {
            System.err.println("attest: bad input: " + b.message());
        } else if (outcome instanceof BackfillOutcome.AlreadyRunning r) {
            System.err.println("attest: " + r.message());
        } else if (outcome instanceof BackfillOutcome.Failed f) {
            System.err.println("attest: the backfill failed" + (f.failedStep() == null ? "" : " in step " + f.failedStep()) + ": " + f.message()
                    + "\nattest: run the same command again to restart it from where it stopped.");
        }
        return outcome.exitStatus();
    }

    private static void printSummary(Path summary) {
        try {
            JsonNode json = JsonMapper.builder().build().readTree(Files.readString(summary));
            JsonNode ev = json.path("events");
            System.err.printf("attest: %d event(s) in the window; %d to correct (%d changed by a correction, %d disagreeing out of scope)%n",
                    ev.path("in_window").asLong(), ev.path("to_correct").asLong(), ev.path("changed_by_correction").asLong(),
                    ev.path("disagreeing_out_of_scope").asLong());
            for (JsonNode t : json.path("totals"))
                System.err.printf("attest:   %s: %d line(s), before %s, after %s, delta %s%n", t.path("currency").asString(), t.path("lines").asLong(),
                        t.path("amount_before").asString(), t.path("amount_after").asString(), t.path("delta").asString());
            System.err.println("attest: correcting versions: " + json.path("correcting_versions"));
            System.err.println("attest: to apply exactly this:");
            System.err.println("  " + json.path("apply_command").asString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
