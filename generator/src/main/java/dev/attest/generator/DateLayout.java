package dev.attest.generator;

import dev.attest.io.Folders;
import dev.attest.io.duck.Duck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Rewrites the generator's Parquet chunks as hive date partitions, {@code date=YYYY-MM-DD/} by the UTC day of a time
 * column. One DuckDB thread and the chunks' row order keep the files byte-identical for a seed.
 */
final class DateLayout {
    private DateLayout() {}

    /** Replaces {@code files} (the chunks in {@code dir}) by {@code dir/date=.../<base>-N.parquet}; returns the new files, sorted. */
    static List<Path> repartition(Path dir, List<Path> files, String timeColumn, String base) throws IOException {
        Path tmp = dir.resolve(".repartition");
        Folders.deleteTree(tmp);
        String list = files.stream().map(f -> Duck.literal(f.toString())).collect(Collectors.joining(", ", "[", "]"));
        try (Duck duck = Duck.inMemory()) {
            duck.execute("SET threads = 1");
            duck.execute("SET preserve_insertion_order = true");
            duck.execute("COPY (SELECT *, strftime(" + Duck.ident(timeColumn) + " AT TIME ZONE 'UTC', '%Y-%m-%d') AS date FROM read_parquet("
                    + list + ")) TO " + Duck.literal(tmp.toString()) + " (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date), "
                    + "FILENAME_PATTERN " + Duck.literal(base + "-{i}") + ")");
        }
        for (Path f : files) Files.delete(f);
        List<Path> out = new ArrayList<>();
        try (Stream<Path> parts = Files.list(tmp)) {
            for (Path part : parts.sorted().toList()) {
                Path target = dir.resolve(part.getFileName());
                Files.move(part, target);
                try (Stream<Path> inside = Files.list(target)) {
                    inside.sorted().forEach(out::add);
                }
            }
        }
        Files.delete(tmp);
        return List.copyOf(out);
    }

    /** Removes the date partitions an earlier generation left in {@code dir}. */
    static void clean(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> old = Files.list(dir)) {
            for (Path p : old.toList())
                if (Files.isDirectory(p) && (p.getFileName().toString().startsWith("date=") || p.getFileName().toString().equals(".repartition")))
                    Folders.deleteTree(p);
        }
    }
}
