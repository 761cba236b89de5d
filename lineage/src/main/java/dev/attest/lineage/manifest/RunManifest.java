package dev.attest.lineage.manifest;

import dev.attest.io.input.InputSource;
import dev.attest.reports.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A run folder's manifest.json as written by the audit (contracts section 7): the pinned inputs, the policy
 * registry digest, the parameters and each output's digest. Read by {@code explain} and {@code verify}.
 */
public record RunManifest(Path runDir, String runId, String programVersion, Input events, Input decisions, String policiesPath,
                          String registryDigest, List<PinnedFile> policyFiles, Map<String, String> parameters, List<PinnedFile> outputs,
                          Input customers, PinnedFile checks, String carriedState) {

    /** Without a checks file. */
    public RunManifest(Path runDir, String runId, String programVersion, Input events, Input decisions, String policiesPath,
                       String registryDigest, List<PinnedFile> policyFiles, Map<String, String> parameters, List<PinnedFile> outputs,
                       Input customers) {
        this(runDir, runId, programVersion, events, decisions, policiesPath, registryDigest, policyFiles, parameters, outputs, customers, null, null);
    }

    /** One file with its digest: an input file (rows known) or an output (rows -1). */
    public record PinnedFile(String path, long size, long rows, String sha256) {}

    /** An input as given: files at a location (path, folder or glob), or a SQL query ({@code source = "sql"}). */
    /** @param skipped files under the location the run did not read (outside its scan bounds), with the reason */
    public record Input(String name, String source, String location, List<PinnedFile> files, Map<String, String> skipped) {
        public Input(String name, String source, String location, List<PinnedFile> files) {
            this(name, source, location, files, Map.of());
        }

        public InputSource toSource() {
            return "sql".equals(source) ? InputSource.sql(location) : InputSource.files(location);
        }
    }

    /** Thrown when the folder is not a complete run folder: the user named the wrong thing (exit 2). */
    public static final class NotARunFolder extends RuntimeException {
        public NotARunFolder(String message) {
            super(message);
        }
    }

    /**
     * A run folder's manifest, or what a lineage report folder ({@code attest lineage}) pins in its lineage.json: the
     * inputs it read, the policies, the cut-off and the zone, which is all {@code attest explain} needs. It has no
     * outputs to verify, so {@code verify} reads {@link #read} only.
     */
    public static RunManifest readRunOrLineage(Path dir) {
        if (!Files.isRegularFile(dir.resolve("manifest.json")) && Files.isRegularFile(dir.resolve("lineage.json"))) return readLineage(dir);
        return read(dir);
    }

    private static RunManifest readLineage(Path dir) {
        Path file = dir.resolve("lineage.json");
        JsonNode m;
        try {
            m = Json.MAPPER.readTree(Files.readString(file));
        } catch (IOException | JacksonException e) {
            throw new NotARunFolder("cannot read " + file + ": " + e.getMessage());
        }
        try {
            Map<String, String> params = new java.util.LinkedHashMap<>();
            m.get("parameters").properties().forEach(en -> params.put(en.getKey(), en.getValue().isNull() ? null : en.getValue().asString()));
            JsonNode sources = m.path("sources");
            // Folders written before lineage.json pinned its inputs: the inputs as described, without file digests.
            Input events = sources.has("events") ? input("events", sources.get("events")) : described("events", params.get("events"));
            Input decisions = sources.has("decisions") ? input("decisions", sources.get("decisions")) : described("decisions", params.get("decisions"));
            return new RunManifest(dir, m.get("report_id").asString(), m.path("program_version").asString(""), events, decisions,
                    params.get("policies"), params.get("registry_digest"), List.of(), params, List.of(), customers(m.get("customers")), null, null);
        } catch (RuntimeException e) {
            throw new NotARunFolder(file + " is not an Attest lineage report: " + e);
        }
    }

    private static Input described(String name, String described) {
        return described.startsWith("sql:") ? new Input(name, "sql", described.substring(4), List.of())
                : new Input(name, "files", described, List.of());
    }

    public static RunManifest read(Path runDir) {
        Path file = runDir.resolve("manifest.json");
        JsonNode m;
        try {
            m = Json.MAPPER.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new NotARunFolder(runDir + " is not a run folder: it has no manifest.json");
        } catch (IOException | JacksonException e) {
            throw new NotARunFolder("cannot read " + file + ": " + e.getMessage());
        }
        try {
            Map<String, String> params = new java.util.LinkedHashMap<>();
            m.get("parameters").properties().forEach(en -> params.put(en.getKey(), en.getValue().isNull() ? null : en.getValue().asString()));
            JsonNode pol = m.get("policies");
            List<PinnedFile> outputs = new ArrayList<>();
            for (JsonNode o : m.get("outputs")) outputs.add(new PinnedFile(o.get("file").asString(), o.get("size").asLong(), -1, o.get("sha256").asString()));
            return new RunManifest(runDir, m.get("run_id").asString(), m.get("program_version").asString(), input("events", m.get("inputs").get("events")),
                    input("decisions", m.get("inputs").get("decisions")), pol.get("path").asString(), pol.get("registry_digest").asString(),
                    pol.has("files") ? files(pol.get("files")) : List.of(), params, outputs, customers(m.get("customers")),
                    checks(m.get("checks")), m.path("carried_state").path("started_from").path("id").isMissingNode() ? null
                            : m.path("carried_state").path("started_from").path("id").asString());
        } catch (RuntimeException e) {
            throw new NotARunFolder(file + " is not an Attest manifest: " + e);
        }
    }

    /** The customers input (contracts section 10) a run read, or null when it had none. */
    private static Input customers(JsonNode n) {
        if (n == null || n.isNull()) return null;
        return new Input("customers", "files", n.get("path").asString(), files(n.get("files")));
    }

    /** The checks file (issue 14) a run read, or null when it had none. */
    private static PinnedFile checks(JsonNode n) {
        if (n == null || n.isNull()) return null;
        return new PinnedFile(n.get("path").asString(), n.get("size").asLong(), -1, n.get("sha256").asString());
    }

    /** The checks file's path, or null: no checks file. */
    public String checksPath() {
        return checks == null ? null : checks.path();
    }

    /** The customers input's path, or null: every customer on UTC calendar months. */
    public String customersPath() {
        return customers == null ? null : customers.location();
    }

    private static Input input(String name, JsonNode n) {
        Map<String, String> skipped = new java.util.LinkedHashMap<>();
        if (n.has("skipped")) for (JsonNode s : n.get("skipped")) skipped.put(s.get("path").asString(), s.get("reason").asString());
        return new Input(name, n.get("source").asString(), n.get("location").isNull() ? null : n.get("location").asString(), files(n.get("files")),
                skipped);
    }

    private static List<PinnedFile> files(JsonNode arr) {
        List<PinnedFile> out = new ArrayList<>();
        for (JsonNode f : arr)
            out.add(new PinnedFile(f.get("path").asString(), f.path("size").asLong(-1), f.has("rows") ? f.get("rows").asLong() : -1, f.get("sha256").asString()));
        return out;
    }

    public String parameter(String name) {
        return parameters.get(name);
    }
}
