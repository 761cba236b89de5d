package dev.attest.stream;

import dev.attest.jobs.alert.AlertSink;
import dev.attest.jobs.alert.LogSink;
import dev.attest.jobs.alert.WebhookSink;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code attest stream}: the realtime audit on Kafka (issue 17). Exit 0 when stopped or idle, 2 bad usage, 3 failure. */
@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Audit decisions as they happen: a verdict per decision from Kafka, exactly once, by the batch audit's rules.",
        description = {"Reads usage events and live decisions (JSON objects with the contract's columns, keyed by customer_id) from Kafka, "
                + "and publishes a verdict per decision, settled findings, dead letters and its own checkpoint in one transaction per batch. "
                + "Stop it with Ctrl-C or SIGTERM; kill -9 loses nothing: a restart resumes from the last committed transaction."})
public final class StreamCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]", description = "The Kafka cluster.")
    String bootstrap;
    @Option(names = "--events-topic", defaultValue = "events", paramLabel = "TOPIC", description = "Usage events (default: ${DEFAULT-VALUE}).")
    String eventsTopic;
    @Option(names = "--decisions-topic", defaultValue = "decisions", paramLabel = "TOPIC", description = "Live decisions (default: ${DEFAULT-VALUE}).")
    String decisionsTopic;
    @Option(names = "--verdicts-topic", defaultValue = "attest.verdicts", paramLabel = "TOPIC", description = "One verdict per decision, and corrections (default: ${DEFAULT-VALUE}).")
    String verdictsTopic;
    @Option(names = "--findings-topic", defaultValue = "attest.findings", paramLabel = "TOPIC", description = "Settled findings, as findings.csv rows (default: ${DEFAULT-VALUE}).")
    String findingsTopic;
    @Option(names = "--dead-letter-topic", defaultValue = "attest.dead-letters", paramLabel = "TOPIC",
            description = "Bad messages and data later than the hold, with reason and source offset (default: ${DEFAULT-VALUE}).")
    String deadLetterTopic;
    @Option(names = "--state-topic", paramLabel = "TOPIC", description = "Compacted checkpoint topic (default: GROUP-ID.state).")
    String stateTopic;
    @Option(names = "--group-id", defaultValue = "attest-stream", paramLabel = "ID",
            description = "Consumer group and transactional id prefix; one running process per id (default: ${DEFAULT-VALUE}).")
    String groupId;
    @Option(names = "--policies", required = true, paramLabel = "PATH", description = "Policies (as for audit); watched: a new version applies from its recorded_at.")
    String policies;
    @Option(names = "--customers", paramLabel = "PATH", description = "Billing cycles per customer (contracts section 10).")
    String customers;
    @Option(names = "--checks", paramLabel = "FILE", description = "Checks file: severities, tolerances per currency and meter.")
    String checks;
    @Option(names = "--state", paramLabel = "DIR", description = "An audit's --out folder: its newest carried state seeds a stream started mid-period.")
    Path state;
    @Option(names = "--out", paramLabel = "DIR", description = "Settled findings roll into hourly files under DIR/findings/hour=.../.")
    Path out;
    @Option(names = "--hold", defaultValue = "PT1M", paramLabel = "DURATION",
            description = "How long (in event time) to wait for late events and decisions before findings settle (default: ${DEFAULT-VALUE}).")
    String hold;
    @Option(names = "--idle", defaultValue = "PT5S", paramLabel = "DURATION",
            description = "A partition that received nothing for this long (wall clock) follows the clock minus the hold (default: ${DEFAULT-VALUE}).")
    String idle;
    @Option(names = "--late-after", paramLabel = "DURATION", description = "LATE_DECISION limit, as for audit (default: none).")
    String lateAfter;
    @Option(names = "--tolerance", paramLabel = "DECIMAL", description = "Amount tolerance, as for audit (default: the checks file's, else 0).")
    BigDecimal tolerance;
    @Option(names = "--events-map", paramLabel = "JSON", description = "Rename event fields first: {\"their_name\":\"contract_name\", ...}.")
    String eventsMap;
    @Option(names = "--decisions-map", paramLabel = "JSON", description = "Rename decision fields first.")
    String decisionsMap;
    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE|FILE",
            description = "Any Kafka client setting (SASL, TLS, ...); repeatable; a .properties file gives many.")
    List<String> kafkaProperties = new ArrayList<>();
    @Option(names = "--metadata", paramLabel = "JDBC_URL",
            description = "Metadata database whose finding history receives each hour of settled findings (with --out; default: $ATTEST_METADATA_URL, else an H2 file in ~/.attest).")
    String metadata;
    @Option(names = "--exit-when-idle", paramLabel = "DURATION",
            description = "Exit 0 once nothing was read and nothing is pending for this long (replays, tests); default: run until stopped.")
    String exitWhenIdle;
    @Option(names = "--commit-interval", paramLabel = "DURATION",
            description = "Least time between two transactions (what is read meanwhile goes with the next): fewer, larger transactions cost "
                    + "the broker less, each verdict waits up to this long more; default 0: a transaction per poll.")
    String commitInterval;
    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve the attest_stream_* metrics in Prometheus text format on http://HOST:PORT/metrics (every address; 0: a free port, printed).")
    Integer metricsPort;
    @Option(names = "--alert-webhook", paramLabel = "URL",
            description = "POST an alert (JSON) per settled critical or error finding to URL, as the scheduler's webhooks; repeatable.")
    List<String> alertWebhooks = new ArrayList<>();
    @Option(names = "--no-alert-log", description = "No ALERT line on standard error per settled critical or error finding.")
    boolean noAlertLog;
    @Option(names = "--alert-summary-over", defaultValue = "20", paramLabel = "N",
            description = "More than N alerts within a second become one summary alert (counts per code and severity; default: ${DEFAULT-VALUE}).")
    int alertSummaryOver;

    @Override
    public Integer call() throws Exception {
        StreamOptions o;
        try {
            o = new StreamOptions(bootstrap, eventsTopic, decisionsTopic, verdictsTopic, findingsTopic, deadLetterTopic,
                    stateTopic == null ? groupId + ".state" : stateTopic, groupId, policies, customers, checks, state, out, duration("--hold", hold),
                    duration("--idle", idle), lateAfter == null ? null : duration("--late-after", lateAfter), tolerance,
                    Messages.fieldMap(eventsMap), Messages.fieldMap(decisionsMap), kafka(kafkaProperties),
                    exitWhenIdle == null ? null : duration("--exit-when-idle", exitWhenIdle), out == null ? null : metadataUrl(metadata),
                    commitInterval == null ? null : duration("--commit-interval", commitInterval));
        } catch (IllegalArgumentException e) {
            System.err.println("attest stream: " + e.getMessage());
            return 2;
        }
        List<AlertSink> sinks = new ArrayList<>();
        try {
            if (alertSummaryOver < 1) throw new IllegalArgumentException("--alert-summary-over must be >= 1");
            if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) throw new IllegalArgumentException("--metrics-port must be 0-65535");
            if (!noAlertLog) sinks.add(new LogSink(System.err, Clock.systemUTC()));
            for (String w : alertWebhooks) sinks.add(new WebhookSink(webhook(w), Duration.ofSeconds(5), Clock.systemUTC()));
        } catch (IllegalArgumentException e) {
            System.err.println("attest stream: " + e.getMessage());
            return 2;
        }
        StreamMetrics metrics = null;
        if (metricsPort != null) {
            metrics = new StreamMetrics(o.eventsTopic()).serve(metricsPort);
            System.err.println("attest stream: metrics on http://localhost:" + metrics.port() + "/metrics");
        }
        StreamAlerts alerts = sinks.isEmpty() ? null : new StreamAlerts(o, sinks, alertSummaryOver, Duration.ofSeconds(1), metrics, Clock.systemUTC());
        StreamListener listener = metrics == null && alerts == null ? StreamListener.NONE
                : metrics == null ? alerts : alerts == null ? metrics : StreamListener.all(metrics, alerts);
        try (StreamMetrics m = metrics; StreamAlerts a = alerts) {
            return run(o, listener);
        }
    }

    private static java.net.URI webhook(String url) {
        try {
            java.net.URI u = new java.net.URI(url);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) throw new java.net.URISyntaxException(url, "not http(s)");
            return u;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("--alert-webhook: '" + url + "' is not an http(s) URL");
        }
    }

    private static int run(StreamOptions o, StreamListener listener) throws Exception {
        StreamRunner runner = new StreamRunner(o, Clock.systemUTC(), listener);
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            runner.stop();
            try {
                main.join(10_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "attest-stream-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (runner) {
            StreamRunner.Outcome outcome;
            try {
                outcome = runner.run();
            } catch (IllegalArgumentException e) { // unreadable policies, customers, checks or state: bad input
                System.err.println("attest stream: " + e.getMessage());
                return 2;
            }
            StreamRunner.Totals t = outcome instanceof StreamRunner.Idle i ? i.totals() : ((StreamRunner.Stopped) outcome).totals();
            System.err.printf(Locale.ROOT, "attest stream: read %d messages; %d verdicts, %d settled findings, %d dead letters (%d late) in %d transactions%n",
                    t.read(), t.verdicts(), t.findings(), t.deadLetters() + t.late(), t.late(), t.transactions());
            return 0;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
    }

    /** As every other command: --metadata, else ATTEST_METADATA_URL, else the H2 file under ~/.attest. */
    static String metadataUrl(String option) {
        if (option != null && !option.isBlank()) return option;
        String env = System.getenv("ATTEST_METADATA_URL");
        if (env != null && !env.isBlank()) return env;
        return "jdbc:h2:file:" + Path.of(System.getProperty("user.home"), ".attest", "metadata").toAbsolutePath()
                + ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE;TRACE_LEVEL_FILE=0";
    }

    /** A duration as the command's options take it (PT1H, 500ms, 90s, 15m, 2h, 1d); for other commands' stream options. */
    public static Duration parseDuration(String option, String value) {
        return duration(option, value);
    }

    static Duration duration(String option, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("p")) return check(option, value, Duration.parse(v.toUpperCase(Locale.ROOT)));
            if (v.endsWith("ms")) return check(option, value, Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2))));
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return check(option, value, switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            });
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith(option)) throw iae;
            throw new IllegalArgumentException(option + ": '" + value + "' is not a duration (PT1H, 500ms, 90s, 15m, 2h, 1d)");
        }
    }

    private static Duration check(String option, String value, Duration d) {
        if (d.isNegative()) throw new IllegalArgumentException(option + ": '" + value + "' is negative");
        return d;
    }

    /** {@code --kafka-property} values: KEY=VALUE pairs and properties files, in order. */
    public static Properties kafka(List<String> specs) {
        Properties p = new Properties();
        for (String s : specs) {
            int eq = s.indexOf('=');
            if (eq > 0) {
                p.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
                continue;
            }
            Path f = Path.of(s);
            if (!Files.isRegularFile(f)) throw new IllegalArgumentException("--kafka-property: '" + s + "' is neither KEY=VALUE nor a properties file");
            try (Reader r = Files.newBufferedReader(f)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("--kafka-property: cannot read " + f + ": " + e.getMessage());
            }
        }
        return p;
    }

    /** The command alone, for a child JVM (tests) without the whole attest jar. */
    public static void main(String[] args) {
        int code;
        try {
            code = new CommandLine(new StreamCommand()).setExecutionExceptionHandler((ex, cl, parsed) -> {
                LoggerFactory.getLogger(StreamCommand.class).error("attest stream failed", ex);
                return 3;
            }).execute(args);
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(StreamCommand.class).error("attest stream failed", e);
            code = 3;
        }
        System.exit(code);
    }
}
