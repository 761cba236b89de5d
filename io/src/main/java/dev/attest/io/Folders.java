package dev.attest.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing workspaces, work folders and partial run folders: one implementation for every module. */
public final class Folders {
    private Folders() {}

    /**
     * Deletes a folder and everything below it; nothing happens when it does not exist. Refuses an empty path, the
     * working directory, a file-system root or the user's home, which only a bug would ask for (an empty path once came
     * from a failed run's missing folder name, and took the working directory with it).
     */
    public static void deleteTree(Path root) {
        Path abs = root.toAbsolutePath().normalize();
        if (root.toString().isEmpty() || abs.getParent() == null || abs.equals(Path.of("").toAbsolutePath().normalize())
                || abs.equals(Path.of(System.getProperty("user.home", "/")).toAbsolutePath().normalize()))
            throw new IllegalArgumentException("refusing to delete '" + root + "' (" + abs + "): not a folder Attest made");
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
