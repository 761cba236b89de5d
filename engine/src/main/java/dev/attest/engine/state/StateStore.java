package dev.attest.engine.state;

import dev.attest.engine.audit.RatePass;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Carried period states (issue "incremental audits"): each completed audit of a window keeps the fold's state of
 * every (customer, meter, billing period) still open at the window's end, so that the audit of the next window starts
 * there and reads only its own days. A state is a Parquet file (rows as {@link RatePass#STATE_FIELDS}) and a JSON
 * description beside it, under {@code OUT/.attest-state/}, named by the SHA-256 of the Parquet bytes
 * (content-addressed: the same state is one file however often it is written) and pinned in the manifest of every run
 * that wrote or used it.
 *
 * <p>The description says what the state is valid for: the instant it was taken at ({@code through}), the cut-off,
 * the policy registry and customers digests, the inputs' locations, and every input file that contributed to it
 * (transitively, through the state it started from) with size, modification time and SHA-256.
 */
public final class StateStore {
    public static final String FOLDER = ".attest-state";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private StateStore() {}

    /** One input file a state depends on. */
    public record Pinned(String input, String path, long size, long modified, String sha256) {}

    /** A state's description; {@code id} names its files. */
    public record Meta(String id, Instant through, Instant asOf, String registryDigest, String customersDigest, String events,
                       String decisions, String runId, long partitions, List<Pinned> files) {
        public Meta {
            files = List.copyOf(files);
        }
    }

    public static Path folder(Path out) {
        return out.resolve(FOLDER);
    }

    public static Path parquet(Path out, String id) {
        return folder(out).resolve(id + ".parquet");
    }

    public static Path description(Path out, String id) {
        return folder(out).resolve(id + ".json");
    }

    /** Every readable state under {@code out}, newest cut-off first (ties: by id); unreadable descriptions are skipped. */
    public static List<Meta> list(Path out) {
        Path dir = folder(out);
        if (!Files.isDirectory(dir)) return List.of();
        List<Meta> metas = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                try {
                    Meta m = read(f);
                    if (Files.isRegularFile(parquet(out, m.id()))) metas.add(m);
                } catch (RuntimeException | IOException e) {
                    org.slf4j.LoggerFactory.getLogger(StateStore.class).warn("state {} is unreadable and not used: {}", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        metas.sort(Comparator.comparing(Meta::asOf).reversed().thenComparing(Meta::id));
        return metas;
    }

    public static Meta find(Path out, String id) {
        try {
            return read(description(out, id));
        } catch (IOException e) {
            throw new UncheckedIOException("state " + id + " is not readable under " + folder(out), e);
        }
    }

    /**
     * Writes table {@code table} (the states at {@code meta.through()}) as a state; returns its description with the id.
     * The rows are sorted, so the same states give the same bytes and id.
     */
    public static Meta write(Duck duck, String table, Path out, Meta meta) throws IOException {
        Path dir = Files.createDirectories(folder(out));
        Path partial = Files.createTempFile(dir, ".state-", ".parquet.partial");
        try {
            duck.execute("COPY (SELECT * FROM " + table + " ORDER BY customer_id, meter, period_start) TO " + Duck.literal(partial.toString())
                    + " (FORMAT parquet, COMPRESSION zstd)");
            String id = sha256(partial).substring(0, 32);
            long partitions = duck.queryLong("SELECT count(*) FROM " + table);
            Meta m = new Meta(id, meta.through(), meta.asOf(), meta.registryDigest(), meta.customersDigest(), meta.events(), meta.decisions(),
                    meta.runId(), partitions, meta.files());
            Path target = parquet(out, id);
            if (!Files.exists(target)) Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            Path desc = description(out, id);
            Path descPartial = dir.resolve("." + id + ".json.partial");
            Files.writeString(descPartial, render(m), StandardCharsets.UTF_8);
            Files.move(descPartial, desc, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return m;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Loads a state's rows into table {@code table} (replaced). */
    public static void load(Duck duck, Path out, Meta m, String table) {
        duck.execute("CREATE OR REPLACE TABLE " + table + " AS SELECT * FROM read_parquet(" + Duck.literal(parquet(out, m.id()).toString()) + ")");
    }

    public static String sha256(Path f) {
        return InputFiles.sha256(f);
    }

    /** The file as it is now, for pinning. */
    public static Pinned pin(String input, Path f, String sha256) {
        try {
            return new Pinned(input, f.toString(), Files.size(f), Files.getLastModifiedTime(f).toMillis(), sha256);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether a pinned file is as the state saw it: same size and modification time (like make; only then is its
     * SHA-256 taken as unchanged), or else the same SHA-256 now. A missing file has changed.
     */
    public static boolean unchanged(Pinned p) {
        Path f = Path.of(p.path());
        try {
            if (!Files.isRegularFile(f)) return false;
            if (Files.size(f) != p.size()) return false;
            if (Files.getLastModifiedTime(f).toMillis() == p.modified()) return true;
            return InputFiles.sha256(f).equals(p.sha256());
        } catch (IOException e) {
            return false;
        }
    }

    static String render(Meta m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", "attest-state/1");
        n.put("id", m.id());
        n.put("through", m.through().toString());
        n.put("as_of", m.asOf().toString());
        n.put("registry_digest", m.registryDigest());
        n.put("customers_digest", m.customersDigest());
        n.put("events", m.events());
        n.put("decisions", m.decisions());
        n.put("run_id", m.runId());
        n.put("partitions", m.partitions());
        ArrayNode files = n.putArray("files");
        for (Pinned p : m.files()) {
            ObjectNode f = files.addObject();
            f.put("input", p.input());
            f.put("path", p.path());
            f.put("size", p.size());
            f.put("modified", p.modified());
            f.put("sha256", p.sha256());
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n";
    }

    static Meta read(Path f) throws IOException {
        JsonNode n = JSON.readTree(Files.readString(f));
        if (!"attest-state/1".equals(n.path("format").asString())) throw new IOException("not an attest-state/1 description: " + f);
        List<Pinned> files = new ArrayList<>();
        for (JsonNode p : n.path("files"))
            files.add(new Pinned(p.get("input").asString(), p.get("path").asString(), p.get("size").asLong(), p.get("modified").asLong(),
                    p.get("sha256").asString()));
        return new Meta(n.get("id").asString(), Instant.parse(n.get("through").asString()), Instant.parse(n.get("as_of").asString()),
                n.get("registry_digest").asString(), n.get("customers_digest").asString(), n.get("events").asString(),
                n.get("decisions").asString(), n.get("run_id").asString(), n.get("partitions").asLong(), files);
    }

    /** A digest of the customers input's files (their SHA-256s in path order), or "none". */
    public static String customersDigest(String customers) {
        if (customers == null) return "none";
        StringBuilder sb = new StringBuilder();
        for (InputFiles.DataFile f : InputFiles.resolve("customers", customers)) sb.append(InputFiles.sha256(f.path())).append('\n');
        return sha256Text(sb.toString());
    }

    static String sha256Text(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Pinned files by path (later entries win): a chain's files, its own newest. */
    public static List<Pinned> merge(List<Pinned> older, List<Pinned> newer) {
        Map<String, Pinned> m = new LinkedHashMap<>();
        for (Pinned p : older) m.put(p.input() + "|" + p.path(), p);
        for (Pinned p : newer) m.put(p.input() + "|" + p.path(), p);
        List<Pinned> out = new ArrayList<>(m.values());
        out.sort(Comparator.comparing(Pinned::input).thenComparing(Pinned::path));
        return out;
    }
}
