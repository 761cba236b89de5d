package dev.attest.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deleteTree removes what it is given, and refuses what only a bug would give it. */
class FoldersTest {
    @Test
    void deletesAFolderAndEverythingBelowIt(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("run/a/b.txt");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "x");
        Folders.deleteTree(tmp.resolve("run"));
        assertThat(tmp.resolve("run")).doesNotExist();
        Folders.deleteTree(tmp.resolve("never-there")); // nothing to do
    }

    @Test
    void refusesTheWorkingDirectoryAnEmptyPathTheRootAndHome() {
        assertThatThrownBy(() -> Folders.deleteTree(Path.of(""))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refusing");
        assertThatThrownBy(() -> Folders.deleteTree(Path.of(".").toAbsolutePath())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Folders.deleteTree(Path.of("/"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Folders.deleteTree(Path.of(System.getProperty("user.home")))).isInstanceOf(IllegalArgumentException.class);
        assertThat(Path.of("")).exists();
    }
}
