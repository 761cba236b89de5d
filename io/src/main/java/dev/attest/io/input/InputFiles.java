package dev.attest.io.input;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** Finds the files a path names and tells their format by extension. */
public final class InputFiles {
    private InputFiles() {}

    public enum Format { PARQUET, CSV, JSONL }

    /** A data file found under an input path. */
    public record DataFile(Path path, Format format) {
        public String name() {
            return path.toString();
        }
    }

    /** The format of a file name, or null when it is not a supported data file. Compressed .gz text files are allowed. */
    public static Format formatOf(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".parquet")) return Format.PARQUET;
        if (n.endsWith(".gz")) n = n.substring(0, n.length() - 3);
        else if (n.endsWith(".zst")) n = n.substring(0, n.length() - 4);
        if (n.endsWith(".csv")) return Format.CSV;
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) return Format.JSONL;
        return null;
    }

    /**
     * The data files a path names, sorted by absolute path. A file is taken as given (its extension must
     * be a supported one); a directory is searched recursively, skipping names that start with '.' or '_'
     * (hidden files, _SUCCESS markers, _delta_log); a glob is matched against absolute paths, where
     * {@code **} also matches no folder at all.
     */
    public static List<DataFile> resolve(String input, String spec) {
        if (isGlob(spec)) return glob(input, spec);
        Path p = Path.of(spec).toAbsolutePath().normalize();
        if (!Files.exists(p))
            throw new InputException(InputException.Code.NO_FILES, input + " input: no such file or directory: " + p);
        if (Files.isRegularFile(p)) {
            Format f = formatOf(p.getFileName().toString());
            if (f == null)
                throw new InputException(InputException.Code.NO_FILES, input + " input: " + p
                        + " is not a supported data file (.parquet, .csv, .jsonl, .ndjson, .json)");
            return List.of(new DataFile(p, f));
        }
        List<DataFile> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(p)) {
            walk.filter(Files::isRegularFile)
                    .filter(f -> !hiddenBelow(p, f))
                    .forEach(f -> {
                        Format fmt = formatOf(f.getFileName().toString());
                        if (fmt != null) out.add(new DataFile(f, fmt));
                    });
        } catch (IOException | UncheckedIOException e) {
            throw new InputException(InputException.Code.UNREADABLE, input + " input: cannot list " + p + ": " + e.getMessage(), e);
        }
        if (out.isEmpty())
            throw new InputException(InputException.Code.NO_FILES, input + " input: no .parquet, .csv, .jsonl, .ndjson or .json files under " + p);
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    /**
     * The header fields of a plain (uncompressed) CSV file: its first line, comma separated, double quotes, a leading
     * UTF-8 byte order mark dropped. Null for a compressed file (DuckDB sniffs those); empty for an empty file.
     */
    public static List<String> csvHeader(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!n.endsWith(".csv")) return null;
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            int b;
            boolean quoted = false;
            while ((b = in.read()) >= 0 && line.size() < (1 << 20)) {
                if (b == '"') quoted = !quoted;
                if (b == '\n' && !quoted) break;
                line.write(b);
            }
        } catch (IOException e) {
            throw new InputException(InputException.Code.UNREADABLE, "cannot read " + file + ": " + e.getMessage(), e);
        }
        String text = line.toString(java.nio.charset.StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);
        List<String> out = new ArrayList<>();
        if (text.isBlank()) return out;
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') quoted = false;
                else field.append(c);
            } else if (c == '"') quoted = true;
            else if (c == ',') {
                out.add(field.toString().trim());
                field.setLength(0);
            } else field.append(c);
        }
        out.add(field.toString().trim());
        return out;
    }

    static boolean isGlob(String spec) {
        return spec.indexOf('*') >= 0 || spec.indexOf('?') >= 0 || spec.indexOf('[') >= 0 || spec.indexOf('{') >= 0;
    }

    private static boolean hiddenBelow(Path root, Path file) {
        for (Path part : root.relativize(file)) {
            String n = part.toString();
            if (n.startsWith(".") || n.startsWith("_")) return true;
        }
        return false;
    }

    private static List<DataFile> glob(String input, String spec) {
        String pattern = spec.replace('\\', '/');
        if (!Path.of(firstNonGlobPrefix(pattern).isEmpty() ? "." : firstNonGlobPrefix(pattern)).isAbsolute()) {
            pattern = Path.of("").toAbsolutePath().toString().replace('\\', '/') + "/" + pattern;
        }
        String baseText = firstNonGlobPrefix(pattern);
        Path base = Path.of(baseText.isEmpty() ? "/" : baseText).normalize();
        List<PathMatcher> matchers = new ArrayList<>();
        matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
        if (pattern.contains("/**/"))
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern.replace("/**/", "/")));
        List<DataFile> out = new ArrayList<>();
        if (Files.isDirectory(base)) {
            try (Stream<Path> walk = Files.walk(base)) {
                walk.filter(Files::isRegularFile).forEach(f -> {
                    Path abs = f.toAbsolutePath().normalize();
                    boolean match = matchers.stream().anyMatch(m -> m.matches(abs));
                    Format fmt = formatOf(abs.getFileName().toString());
                    if (match && fmt != null) out.add(new DataFile(abs, fmt));
                });
            } catch (IOException | UncheckedIOException e) {
                throw new InputException(InputException.Code.UNREADABLE, input + " input: cannot list " + base + ": " + e.getMessage(), e);
            }
        }
        if (out.isEmpty())
            throw new InputException(InputException.Code.NO_FILES, input + " input: no .parquet, .csv, .jsonl, .ndjson or .json file matches " + spec);
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    /** The folder part of a glob before its first wildcard segment. */
    private static String firstNonGlobPrefix(String pattern) {
        String[] parts = pattern.split("/", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            if (isGlob(parts[i])) break;
            if (i > 0) sb.append('/');
            sb.append(parts[i]);
        }
        String s = sb.toString();
        if (s.isEmpty() && pattern.startsWith("/")) return "/";
        return s;
    }

    /** Hive-style {@code key=value} folder pairs in a file's path, outermost first (later ones win). */
    public static Map<String, String> hivePairs(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        Path parent = file.getParent();
        if (parent == null) return out;
        for (Path part : parent) {
            String s = part.toString();
            int eq = s.indexOf('=');
            if (eq > 0) out.put(s.substring(0, eq).toLowerCase(Locale.ROOT), s.substring(eq + 1));
        }
        return out;
    }

    private record Stamp(Path path, long size, long modifiedMillis) {}

    private static final Map<Stamp, String> DIGESTS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * SHA-256 of a file's bytes, lower-case hex. A run hashes each input for its identity and again for its
     * manifest: an unchanged file (same path, size and modification time) is read once per process.
     */
    public static String sha256(Path file) {
        Stamp stamp;
        try {
            Path abs = file.toAbsolutePath().normalize();
            stamp = new Stamp(abs, Files.size(abs), Files.getLastModifiedTime(abs).toMillis());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (DIGESTS.size() > 10_000) DIGESTS.clear();
        return DIGESTS.computeIfAbsent(stamp, s -> digest(s.path()));
    }

    private static String digest(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
