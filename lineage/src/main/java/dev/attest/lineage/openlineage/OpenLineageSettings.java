package dev.attest.lineage.openlineage;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/**
 * Where a job's OpenLineage events go, from configuration (Spring properties, so also environment variables and
 * -D system properties):
 * <pre>
 * attest.openlineage.transport  file (default) | http | none       ATTEST_OPENLINEAGE_TRANSPORT
 * attest.openlineage.file       the JSON Lines file (default: OUT/.openlineage.jsonl, hidden like the
 *                               workspace: OUT holds run folders only)   ATTEST_OPENLINEAGE_FILE
 * attest.openlineage.url        the HTTP server, e.g. http://localhost:5000 (implies http)   ATTEST_OPENLINEAGE_URL
 * attest.openlineage.endpoint   its path (default /api/v1/lineage)  ATTEST_OPENLINEAGE_ENDPOINT
 * attest.openlineage.api-key    a bearer API key, if the server wants one   ATTEST_OPENLINEAGE_API_KEY
 * </pre>
 */
public record OpenLineageSettings(String transport, String file, String url, String endpoint, String apiKey) {
    public OpenLineageSettings {
        transport = transport == null || transport.isBlank() ? (url == null || url.isBlank() ? "file" : "http") : transport.trim().toLowerCase(Locale.ROOT);
        if (!transport.equals("file") && !transport.equals("http") && !transport.equals("none"))
            throw new IllegalArgumentException("attest.openlineage.transport must be file, http or none, not '" + transport + "'");
        if (transport.equals("http") && (url == null || url.isBlank()))
            throw new IllegalArgumentException("attest.openlineage.transport is http but attest.openlineage.url is not set");
    }

    public static OpenLineageSettings from(Function<String, String> property) {
        return new OpenLineageSettings(property.apply("attest.openlineage.transport"), property.apply("attest.openlineage.file"),
                property.apply("attest.openlineage.url"), property.apply("attest.openlineage.endpoint"), property.apply("attest.openlineage.api-key"));
    }

    /** The destination for a run writing under {@code outDir}. */
    public RunEventEmitter.Destination destination(Path outDir) {
        return switch (transport) {
            case "none" -> new RunEventEmitter.Destination.Disabled();
            case "http" -> new RunEventEmitter.Destination.Http(URI.create(url), endpoint, apiKey == null || apiKey.isBlank() ? null : apiKey);
            default -> new RunEventEmitter.Destination.File(file == null || file.isBlank() ? outDir.resolve(".openlineage.jsonl") : Path.of(file));
        };
    }
}
