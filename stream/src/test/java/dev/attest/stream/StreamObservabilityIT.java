package dev.attest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Issue 18's metrics and alerts on a real broker, with {@code attest stream} in a child JVM as people run it: /metrics
 * (scraped over HTTP) counts per finding code and dead letters what was fed; critical and error findings reach a real
 * webhook once per fingerprint, not again after a restart over the same topics, and as one summary when many settle
 * at once; a webhook that answers 500 is counted and logged.
 */
class StreamObservabilityIT {
    @TempDir
    static Path tmp;
    static KafkaBroker broker;
    static HttpServer hooks;
    static final List<JsonNode> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaBroker.start(tmp.resolve("broker"));
        hooks = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        hooks.createContext("/ok", x -> {
            try (x) {
                received.add(Feed.JSON.readTree(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                x.sendResponseHeaders(204, -1);
            }
        });
        hooks.createContext("/fail", x -> {
            try (x) {
                x.getRequestBody().readAllBytes();
                x.sendResponseHeaders(500, -1);
            }
        });
        hooks.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (hooks != null) hooks.stop(0);
        if (broker != null) broker.close();
    }

    static String event(String customer, String id, String time, int qty) {
        return "{\"event_id\":\"" + id + "\",\"customer_id\":\"" + customer + "\",\"meter\":\"api_calls\",\"quantity\":\"" + qty + "\",\"event_time\":\"" + time + "\"}";
    }

    static String decision(String customer, String id, String event, String amount, String decided) {
        return "{\"decision_id\":\"" + id + "\",\"event_id\":\"" + event + "\",\"customer_id\":\"" + customer + "\",\"meter\":\"api_calls\","
                + "\"outcome\":\"charged\",\"amount\":\"" + amount + "\",\"currency\":\"USD\",\"price_policy_id\":\"price-api\",\"price_version\":1,"
                + "\"decided_at\":\"" + decided + "\"}";
    }

    static Feed.Message msg(String key, String json) {
        return new Feed.Message(key, json, Instant.EPOCH, 0);
    }

    @Test
    void metricsCountWhatWasFedAndAlertsComeOncePerFingerprintOrAsASummary() throws Exception {
        Path policies = Files.createDirectories(tmp.resolve("policies"));
        Files.writeString(policies.resolve("price-api.yaml"), StreamIT.POLICY);
        String b = broker.bootstrap();
        Feed.createTopics(b, 2, "o.events", "o.decisions");
        String url = "http://127.0.0.1:" + hooks.getAddress().getPort();

        // Customer c1: e3's decision bills 3.00 for 2.00 (AMOUNT_MISMATCH, critical), e2 has none (MISSING_DECISION, error),
        // d9's event does not exist (ORPHAN_DECISION, error), d1 is right; two messages cannot be read.
        Feed.publish(b, "o.events", List.of(msg("c1", event("c1", "e1", "2026-01-05T10:00:00Z", 8)), msg("c1", event("c1", "e2", "2026-01-05T10:05:00Z", 5)),
                msg("c1", event("c1", "e3", "2026-01-05T10:10:00Z", 4)), msg("c1", "not json"), msg("c1", "{\"event_id\": 5}")));
        Feed.publish(b, "o.decisions", List.of(msg("c1", decision("c1", "d1", "e1", "8.00", "2026-01-05T10:00:01Z")),
                msg("c1", decision("c1", "d3", "e3", "3.00", "2026-01-05T10:10:01Z")), msg("c1", decision("c1", "d9", "e-none", "1.00", "2026-01-05T10:11:00Z"))));

        Process first = stream("first", url);
        Map<String, Double> m;
        try {
            int port = metricsPort(tmp.resolve("first.log"));
            m = awaitMetrics(port, x -> sum(x, "attest_stream_findings_total", "") >= 3 && sum(x, "attest_stream_alerts_total", "") >= 3);
            List<JsonNode> findings = Feed.readCommitted(b, "o.findings").stream().map(r -> Feed.JSON.readTree(r.value())).toList();
            Map<String, Long> perCode = new TreeMap<>();
            findings.forEach(f -> perCode.merge(f.get("code").asString(), 1L, Long::sum));
            assertThat(perCode).isEqualTo(Map.of("AMOUNT_MISMATCH", 1L, "MISSING_DECISION", 1L, "ORPHAN_DECISION", 1L));
            for (var e : perCode.entrySet()) assertThat(sum(m, "attest_stream_findings_total", "code=\"" + e.getKey() + "\"")).isEqualTo(e.getValue().doubleValue());
            assertThat(sum(m, "attest_stream_dead_letters_total", "kind=\"bad_message\"")).isEqualTo(2);
            assertThat(sum(m, "attest_stream_dead_letters_total", "kind=\"late\"")).isZero();
            assertThat(sum(m, "attest_stream_records_read_total", "topic=\"o.events\"")).isEqualTo(5);
            assertThat(sum(m, "attest_stream_records_read_total", "topic=\"o.decisions\"")).isEqualTo(3);
            assertThat(sum(m, "attest_stream_verdicts_total", "")).isEqualTo(Feed.readCommitted(b, "o.verdicts").size()).isPositive();
            assertThat(sum(m, "attest_stream_decision_latency_seconds_count", "")).isEqualTo(3);
            assertThat(sum(m, "attest_stream_check_seconds_count", "")).isEqualTo(8);
            assertThat(sum(m, "attest_stream_consumer_lag", "")).isZero();
            assertThat(sum(m, "attest_stream_transactions_total", "")).isPositive();
            assertThat(sum(m, "attest_stream_alert_delivery_failures_total", "sink=\"webhook\"")).isEqualTo(3); // /fail, once per alert
            assertThat(m).containsKey("attest_stream_decision_latency_seconds_bucket{le=\"+Inf\"}");
        } finally {
            stopGracefully(first);
        }
        List<String> alerted = fingerprints("finding");
        assertThat(received).extracting(r -> r.get("type").asString()).containsOnly("finding").hasSize(3);
        assertThat(received).extracting(r -> r.get("code").asString()).containsExactlyInAnyOrder("AMOUNT_MISMATCH", "MISSING_DECISION", "ORPHAN_DECISION");
        assertThat(received).allMatch(r -> r.get("source").asString().equals("stream:o") && r.hasNonNull("message"));
        assertThat(alerted).doesNotHaveDuplicates();
        String log = Files.readString(tmp.resolve("first.log"));
        assertThat(log).contains(" ALERT finding source=stream:o: critical AMOUNT_MISMATCH").contains("ERROR").contains("not delivered to webhook " + url + "/fail");

        // Restart over the same topics: nothing is alerted again. Customer c2's six mismatches settle at once: one summary
        // (more than --alert-summary-over 4); and an event of c1's settled period is late.
        Process second = stream("second", url);
        try {
            int port = metricsPort(tmp.resolve("second.log"));
            awaitMetrics(port, x -> sum(x, "attest_stream_consumer_lag", "") == 0 && x.containsKey("attest_stream_consumer_lag{topic=\"o.events\"}"));
            List<Feed.Message> events = new java.util.ArrayList<>(), decisions = new java.util.ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                events.add(msg("c2", event("c2", "f" + i, "2026-01-06T10:0" + i + ":00Z", 1)));
                decisions.add(msg("c2", decision("c2", "g" + i, "f" + i, "9.00", "2026-01-06T10:0" + i + ":01Z")));
            }
            events.add(msg("c1", event("c1", "e0", "2026-01-05T09:00:00Z", 1)));
            Feed.publish(b, "o.events", events);
            Feed.publish(b, "o.decisions", decisions);
            m = awaitMetrics(port, x -> sum(x, "attest_stream_alerts_total", "type=\"finding_summary\"") >= 1);
            assertThat(sum(m, "attest_stream_findings_total", "code=\"AMOUNT_MISMATCH\"")).isEqualTo(6);
            assertThat(sum(m, "attest_stream_dead_letters_total", "kind=\"late\"")).isEqualTo(1);
            assertThat(sum(m, "attest_stream_alerts_total", "type=\"finding\"")).isZero();
        } finally {
            stopGracefully(second);
        }
        assertThat(fingerprints("finding")).isEqualTo(alerted); // no re-alert after the restart
        List<JsonNode> summaries = received.stream().filter(r -> r.get("type").asString().equals("finding_summary")).toList();
        assertThat(summaries).hasSize(1);
        JsonNode s = summaries.get(0);
        assertThat(s.get("findings").asLong()).isEqualTo(6);
        assertThat(s.get("codes").get("AMOUNT_MISMATCH").asLong()).isEqualTo(6);
        assertThat(s.get("severities").get("critical").asLong()).isEqualTo(6);
        assertThat(s.get("first_fingerprints")).hasSize(StreamAlerts.SUMMARY_FINGERPRINTS);
    }

    static List<String> fingerprints(String type) {
        return received.stream().filter(r -> r.get("type").asString().equals(type)).map(r -> r.get("fingerprint").asString()).toList();
    }

    static Process stream(String name, String url) throws Exception {
        List<String> cmd = KafkaBroker.java("dev.attest.stream.StreamCommand", "--bootstrap-servers", broker.bootstrap(), "--events-topic", "o.events",
                "--decisions-topic", "o.decisions", "--verdicts-topic", "o.verdicts", "--findings-topic", "o.findings", "--dead-letter-topic", "o.dlq",
                "--group-id", "o", "--policies", tmp.resolve("policies").toString(), "--hold", "PT10M", "--idle", "1s", "--metrics-port", "0",
                "--alert-webhook", url + "/ok", "--alert-webhook", url + "/fail", "--alert-summary-over", "4");
        cmd.add(1, "--add-opens=java.base/java.nio=ALL-UNNAMED");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile()).start();
    }

    /** SIGTERM, as a service manager stops it: the stream ends its loop and sends the alerts that committed. */
    static void stopGracefully(Process p) throws Exception {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the stream did not stop within 60 s");
        }
    }

    static int metricsPort(Path log) throws Exception {
        Pattern port = Pattern.compile("metrics on http://localhost:(\\d+)/metrics");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            if (Files.exists(log)) {
                Matcher mm = port.matcher(Files.readString(log));
                if (mm.find()) return Integer.parseInt(mm.group(1));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no metrics port printed: " + Files.readString(log));
    }

    /** Scrapes until {@code done} (60 s at most): the metrics of one scrape, by sample name with its labels. */
    static Map<String, Double> awaitMetrics(int port, java.util.function.Predicate<Map<String, Double>> done) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Map<String, Double> m = Map.of();
        while (System.nanoTime() < end) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            m = parse(r.body());
            if (done.test(m)) return m;
            Thread.sleep(300);
        }
        throw new AssertionError("metrics did not get there: " + m);
    }

    static Map<String, Double> parse(String text) {
        Map<String, Double> m = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int sp = line.lastIndexOf(' ');
            m.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
        return m;
    }

    /** The sum of the samples named {@code name} whose labels contain {@code label} ("" for all). */
    static double sum(Map<String, Double> m, String name, String label) {
        double s = 0;
        for (var e : m.entrySet()) {
            String k = e.getKey();
            String n = k.contains("{") ? k.substring(0, k.indexOf('{')) : k;
            if (n.equals(name) && k.contains(label)) s += e.getValue();
        }
        return s;
    }
}
