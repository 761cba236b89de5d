package dev.attest.spark;

import dev.attest.core.checks.Checks;
import dev.attest.core.findings.Severity;
import dev.attest.io.checks.ChecksLoader;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.ProgramVersion;
import dev.attest.jobs.audit.AuditEngine;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.jobs.audit.AuditOutcome;
import dev.attest.jobs.audit.AuditRequest;
import dev.attest.jobs.audit.CarriedStates;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spark-submit --class dev.attest.spark.SparkAudit attest-spark.jar audit ...}: the audit of `attest audit`, with the
 * same options, rated on Spark. `attest audit --engine spark` runs this class in a child JVM with Spark on its class path.
 * The last line on standard output is the run folder; the exit status is the audit's (0, 1, 2, 3).
 */
@Command(name = "attest-spark", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        subcommands = {SparkAudit.Audit.class, SparkBench.class})
public final class SparkAudit implements Callable<Integer> {
    @Override
    public Integer call() {
        new CommandLine(this).usage(System.err);
        return 2;
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new SparkAudit());
        cl.setParameterExceptionHandler((ex, a) -> {
            System.err.println("attest: " + ex.getMessage());
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            Throwable root = ex;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            System.err.println("attest: internal failure: " + root);
            return 3;
        });
        return cl.execute(args);
    }

    /** The options of `attest audit` (app's AuditCommand), plus where Spark runs. */
    @Command(name = "audit", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Audit live decisions against the policy versions that applied, rated on Apache Spark.")
    static final class Audit implements Callable<Integer> {
        static final class EventsSource {
            @Option(names = "--events", paramLabel = "PATH") String path;
            @Option(names = "--events-sql", paramLabel = "SQL") String sql;
        }

        static final class DecisionsSource {
            @Option(names = "--decisions", paramLabel = "PATH") String path;
            @Option(names = "--decisions-sql", paramLabel = "SQL") String sql;
        }

        @ArgGroup(exclusive = true, multiplicity = "1") EventsSource events;
        @ArgGroup(exclusive = true, multiplicity = "1") DecisionsSource decisions;
        @Option(names = "--policies", required = true, paramLabel = "PATH") String policies;
        @Option(names = "--customers", paramLabel = "PATH") String customers;
        @Option(names = "--out", required = true, paramLabel = "DIR") Path out;
        @Option(names = "--from", paramLabel = "T", converter = InstantConverter.class) Instant from;
        @Option(names = "--to", paramLabel = "T", converter = InstantConverter.class) Instant to;
        @Option(names = "--as-of", paramLabel = "T", converter = InstantConverter.class) Instant asOf;
        @Option(names = "--tolerance", paramLabel = "DECIMAL") BigDecimal tolerance;
        @Option(names = "--late-after", paramLabel = "DURATION", converter = DurationConverter.class) Duration lateAfter;
        @Option(names = "--fail-on", paramLabel = "SEVERITY") String failOn;
        @Option(names = "--checks", paramLabel = "FILE") String checks;
        @Option(names = "--assume-zone", paramLabel = "ZONE") String assumeZone;
        @Option(names = "--full") boolean full;
        @Option(names = "--metadata", paramLabel = "JDBC_URL") String metadata;
        @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "spark", description = "spark (this runner knows no other).")
        String engine;
        @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[2]).")
        String master;
        @Option(names = "--shuffle-partitions", paramLabel = "N", defaultValue = "0",
                description = "Tasks of the rating shuffle (default: 4 per core).")
        int shufflePartitions;
        @Option(names = "--spark-scratch", paramLabel = "URI",
                description = "A folder every executor can read (hdfs://..., s3a://...) for the staged inputs and Spark's output; "
                        + "default: the run's workspace under --out, which suits local masters.")
        String scratch;

        @Override
        public Integer call() {
            if (!"spark".equals(engine)) {
                System.err.println("attest: this runner rates on Spark only; --engine " + engine + " is `attest audit` itself");
                return 2;
            }
            AuditRequest request;
            try {
                if (Files.exists(out) && !Files.isDirectory(out)) throw new IllegalArgumentException("--out " + out + " is not a folder");
                out = out.toAbsolutePath().normalize();
                if (tolerance != null && tolerance.signum() < 0)
                    throw new IllegalArgumentException("--tolerance must be 0 or more, got " + tolerance.toPlainString());
                if (from != null && to != null && !from.isBefore(to))
                    throw new IllegalArgumentException("--from " + from + " must be before --to " + to + " (the window is [from, to))");
                if (assumeZone != null) ZoneId.of(assumeZone);
                Checks file = ChecksLoader.load(checks);
                BigDecimal tol = tolerance != null ? tolerance : file.tolerance() != null ? file.tolerance() : BigDecimal.ZERO;
                Severity fail = failOn != null ? Severity.parse(failOn) : file.failOn() != null ? file.failOn() : Severity.ERROR;
                request = new AuditRequest(events.path != null ? InputSource.files(events.path) : InputSource.sql(events.sql),
                        decisions.path != null ? InputSource.files(decisions.path) : InputSource.sql(decisions.sql), policies, out, from, to,
                        asOf != null ? asOf : Clock.systemUTC().instant().truncatedTo(ChronoUnit.MILLIS), tol, lateAfter, fail, assumeZone,
                        customers, checks);
                if (!full) {
                    CarriedStates.Choice c = CarriedStates.choose(request);
                    if (c.stateId() != null) {
                        System.err.println("attest: starting from the periods' state at " + request.from() + " (carried state " + c.stateId() + ")");
                        request = request.withCarriedState(c.stateId());
                    } else if (c.note() != null && request.from() != null) {
                        System.err.println("attest: rating the window's billing periods from their starts: " + c.note());
                    }
                }
            } catch (RuntimeException e) {
                System.err.println("attest: " + e.getMessage());
                return 2;
            }
            if (scratch != null) System.setProperty(SparkRatePass.SCRATCH, scratch);
            SparkSession spark = SparkSessions.start(master, shufflePartitions);
            try {
                AuditOutcome outcome = run(spark, request, metadataUrl(metadata));
                return report(outcome);
            } finally {
                spark.stop();
            }
        }
    }

    /** Runs one audit with the Spark engine installed for its rating step. */
    public static AuditOutcome run(SparkSession spark, AuditRequest request, String metadataUrl) {
        SparkRatePass engine = new SparkRatePass(spark);
        AuditEngine.install(engine);
        try (ConfigurableApplicationContext ctx = SparkBoot.start(metadataUrl)) {
            return ctx.getBean(AuditLauncher.class).run(request);
        } finally {
            AuditEngine.install(null);
        }
    }

    /** What `attest audit` says: the run folder last on standard output, everything else on standard error. */
    static int report(AuditOutcome outcome) {
        if (outcome instanceof AuditOutcome.Completed c) {
            if (c.alreadyDone()) System.err.println("attest: this audit (same inputs, window and cut-off) already ran; its run folder:");
            // The embedded console's form: steps in the durations people write (stage 0.5 s, rate 8.9 s, ...).
            System.err.printf("attest: %d finding(s) (%s)%n", c.findings(), c.stepTimes().entrySet().stream()
                    .map(e -> e.getKey() + " " + dev.attest.core.Durations.human(e.getValue())).collect(java.util.stream.Collectors.joining(", ")));
            System.out.println(c.runDir());
        } else if (outcome instanceof AuditOutcome.BadInput b) {
            System.err.println("attest: bad input: " + b.message());
        } else if (outcome instanceof AuditOutcome.AlreadyRunning r) {
            System.err.println("attest: " + r.message());
        } else if (outcome instanceof AuditOutcome.Failed f) {
            System.err.println("attest: the audit failed" + (f.failedStep() == null ? "" : " in step " + f.failedStep()) + ": " + f.message()
                    + (f.traceLog() == null ? "" : "; full trace in " + f.traceLog()));
        }
        return outcome.exitStatus();
    }

    /** --metadata, else ATTEST_METADATA_URL, else the H2 file under ~/.attest that `attest` uses. */
    static String metadataUrl(String option) {
        if (option != null && !option.isBlank()) return option;
        String env = System.getenv("ATTEST_METADATA_URL");
        if (env != null && !env.isBlank()) return env;
        return h2(Path.of(System.getProperty("user.home"), ".attest", "metadata"));
    }

    static String h2(Path fileWithoutSuffix) {
        return "jdbc:h2:file:" + fileWithoutSuffix.toAbsolutePath() + ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE;TRACE_LEVEL_FILE=0";
    }

    /** As app's Times.InstantConverter: an instant with an offset, or a date read as midnight UTC. */
    static final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                String v = value.trim();
                if (v.length() == 10) return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
                return java.time.OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not an instant with an offset (2026-01-31T00:00:00Z) or a date (2026-01-31)");
            }
        }
    }

    /** As app's Times.DurationConverter: PT1H, 90s, 15m, 2h, 1d. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                Duration d = v.startsWith("p") ? Duration.parse(v.toUpperCase(Locale.ROOT)) : switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
                    case 'm' -> Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
                    case 'h' -> Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
                    case 'd' -> Duration.ofDays(Long.parseLong(v.substring(0, v.length() - 1)));
                    default -> throw new NumberFormatException();
                };
                if (d.isNegative() || d.isZero()) throw new NumberFormatException();
                return d;
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a positive duration (PT1H, 90s, 15m, 2h, 1d)");
            }
        }
    }
}
