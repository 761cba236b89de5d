package dev.attest.io.input;

/** Where an input comes from. */
public sealed interface InputSource {
    /**
     * A file, a directory (every .parquet, .csv, .jsonl, .ndjson or .json file below it, recursively;
     * hive-style {@code key=value} folders allowed) or a glob ({@code *}, {@code **}, {@code ?}, {@code [..]}, {@code {a,b}}).
     */
    record Files(String path) implements InputSource {
        public Files {
            if (path == null || path.isBlank()) throw new IllegalArgumentException("path is required");
        }
    }

    /** A SELECT run on the staging connection; its rows are numbered in the order the query returns them. */
    record Sql(String query) implements InputSource {
        public Sql {
            if (query == null || query.isBlank()) throw new IllegalArgumentException("query is required");
        }
    }

    /**
     * The same source with a relative file path made absolute against the working directory (a query as it is):
     * a manifest pins where the inputs were, and `attest verify` reads them again from any working directory.
     */
    default InputSource absolute() {
        return this instanceof Files f ? files(absolutePath(f.path())) : this;
    }

    /** A path made absolute against the working directory, with '/' as separator; an absolute one is left as it is. */
    static String absolutePath(String path) {
        if (path.startsWith("/")) return path;
        return java.nio.file.Path.of("").toAbsolutePath().resolve(path).normalize().toString().replace(java.io.File.separatorChar, '/');
    }

    static InputSource files(String path) {
        return new Files(path);
    }

    static InputSource sql(String query) {
        return new Sql(query);
    }
}
