package dev.attest.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the run folder a person names: a path to it, or its run id seen from where they are. A run id is looked
 * for in the working folder and each folder above it, and one level down in each (so that it resolves inside the
 * run folder, in the --out folder that holds it, and in the folder that holds --out, e.g. a demo's root).
 */
final class RunFolders {
    private RunFolders() {}

    static Path resolve(String ref, Path from) {
        return resolve(ref, from, List.of("manifest.json"));
    }

    /** As {@link #resolve(String, Path)}, for folders marked by any of {@code markers} (explain also takes lineage.json). */
    static Path resolve(String ref, Path from, List<String> markers) {
        Path direct = from.resolve(ref).toAbsolutePath().normalize();
        if (marked(direct, markers) || ref.contains("/") || ref.equals(".") || ref.equals(".."))
            return direct;
        for (Path dir = from.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            Path here = dir.resolve(ref);
            if (marked(here, markers)) return here;
            Optional<Path> below = oneLevelDown(dir, ref, markers);
            if (below.isPresent()) return below.get();
        }
        return direct; // not found: the caller says that it is not a run folder
    }

    private static boolean marked(Path dir, List<String> markers) {
        for (String m : markers) if (Files.isRegularFile(dir.resolve(m))) return true;
        return false;
    }

    private static Optional<Path> oneLevelDown(Path dir, String ref, List<String> markers) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(Files::isDirectory).sorted().map(c -> c.resolve(ref))
                    .filter(p -> marked(p, markers)).findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
