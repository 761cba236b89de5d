package dev.attest.jobs.alert;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * POSTs each alert as a JSON object to a URL; a 2xx answer is a delivery. Times out after {@code timeout} and
 * tries once more; a second failure is returned to the caller, which reports it.
 */
public final class WebhookSink implements AlertSink {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI uri;
    private final Duration timeout;
    private final Clock clock;
    private final HttpClient client;

    public WebhookSink(URI uri, Duration timeout, Clock clock) {
        this.uri = uri;
        this.timeout = timeout;
        this.clock = clock;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public static String body(Alert a, java.time.Instant at) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", a.type());
        m.putAll(a.scope());
        m.put("at", at.toString());
        m.put("message", a.line());
        m.putAll(a.details());
        return JSON.writeValueAsString(m);
    }

    @Override
    public String deliver(Alert a) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(a, clock.instant()))).build();
        String why = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 == 2) return null;
                why = "HTTP " + r.statusCode();
            } catch (java.io.IOException e) {
                why = e.getClass().getSimpleName() + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return why + " (tried twice)";
    }

    @Override
    public String name() {
        return "webhook " + uri;
    }
}
