package dev.attest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBrokerTest {
    @AfterEach
    void clear() {
        System.clearProperty(LocalBroker.JVM_OPTIONS_PROPERTY);
        System.clearProperty(LocalBroker.PROPERTIES_PROPERTY);
        System.clearProperty(LocalBroker.GC_PROPERTY);
    }

    /**
     * The broker's JVM has Kafka's heap and collector; options for looking at it (a GC log, a flight recording) go to it,
     * before the class path and main class. Other child JVMs (the storage tool, tests' streams) keep a capped heap.
     */
    @Test
    void theBrokersJvmTakesTheOptionsItIsGiven() {
        // By default the heap and collector Kafka's own start scripts give a broker.
        assertThat(LocalBroker.brokerJava("a.jar", "server.properties")).containsSubsequence("-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20")
                .endsWith("-XX:+ExplicitGCInvokesConcurrent", "-cp", "a.jar", "kafka.Kafka", "server.properties");
        System.setProperty(LocalBroker.JVM_OPTIONS_PROPERTY, " -Xlog:gc:file=/tmp/gc.log   -XX:StartFlightRecording=filename=/tmp/b.jfr ");
        List<String> cmd = LocalBroker.brokerJava("a.jar", "server.properties");
        assertThat(cmd).containsSubsequence("-Xmx1g", "-Xlog:gc:file=/tmp/gc.log", "-XX:StartFlightRecording=filename=/tmp/b.jfr", "-cp", "a.jar", "kafka.Kafka",
                "server.properties");
        assertThat(cmd).doesNotContain("");
        // Another heap and collector replace them (commas separate too: ATTEST_JAVA_OPTS splits on spaces).
        System.setProperty(LocalBroker.GC_PROPERTY, "-Xmx512m,-XX:+UseSerialGC");
        cmd = LocalBroker.brokerJava("a.jar", "server.properties");
        assertThat(cmd).containsSubsequence("-Xmx512m", "-XX:+UseSerialGC", "-Xlog:gc:file=/tmp/gc.log").doesNotContain("-XX:+UseG1GC", "-Xmx1g");
        assertThat(LocalBroker.java("a.jar", "kafka.tools.StorageTool", "format")).containsSubsequence("-Xmx512m", "-XX:+UseSerialGC", "-cp", "a.jar")
                .doesNotContain("-XX:+UseG1GC", "-Xlog:gc:file=/tmp/gc.log");
    }

    /** Properties given as key=value pairs override the broker's defaults and add to them; anything else is refused, naming it. */
    @Test
    void theBrokerTakesThePropertiesItIsGiven() {
        java.nio.file.Path dir = java.nio.file.Path.of("/tmp/b");
        assertThat(LocalBroker.properties(dir, 9092, 9093)).containsEntry("log.dirs", "/tmp/b").containsEntry("log.segment.bytes", String.valueOf(64 * 1024 * 1024))
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093").doesNotContainKey("log.cleaner.threads");
        System.setProperty(LocalBroker.PROPERTIES_PROPERTY, " log.segment.bytes=1073741824  log.cleaner.io.max.bytes.per.second=5e6 ");
        assertThat(LocalBroker.properties(dir, 9092, 9093)).containsEntry("log.segment.bytes", "1073741824")
                .containsEntry("log.cleaner.io.max.bytes.per.second", "5e6").containsEntry("node.id", "1");
        System.setProperty(LocalBroker.PROPERTIES_PROPERTY, "log.segment.bytes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalBroker.properties(dir, 9092, 9093)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'log.segment.bytes' is not key=value");
    }

    /**
     * The log goes to the memory file system by default, in a folder naming its owner; to the broker's own folder when asked
     * ("disk") or when there is no such file system; under a folder when one is given.
     */
    @Test
    void theLogGoesWhereItIsAsked(@TempDir Path tmp) throws Exception {
        Path memory = Files.createDirectories(tmp.resolve("shm")), dir = tmp.resolve("broker");
        Path data = LocalBroker.dataDir(dir, memory, "memory");
        assertThat(data.getParent()).isEqualTo(memory);
        assertThat(data.getFileName().toString()).startsWith("attest-broker-");
        assertThat(Files.readString(data.resolve(LocalBroker.OWNER))).isEqualTo(String.valueOf(ProcessHandle.current().pid()));
        assertThat(LocalBroker.dataDir(dir, tmp.resolve("none"), "memory")).isEqualTo(dir.resolve("data")).isDirectory();
        assertThat(LocalBroker.dataDir(dir, memory, "disk")).isEqualTo(dir.resolve("data"));
        Path elsewhere = LocalBroker.dataDir(dir, memory, tmp.resolve("fast").toString());
        assertThat(elsewhere.getParent()).isEqualTo(tmp.resolve("fast"));
        assertThat(elsewhere).isDirectory();
    }

    /** A log folder in memory whose owner process has ended is removed at the next start; a live owner's, or one without an owner, stays. */
    @Test
    void aKilledOwnersLogIsRemovedAtTheNextStart(@TempDir Path tmp) throws Exception {
        Path memory = Files.createDirectories(tmp.resolve("shm"));
        Process ended = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version").start();
        ended.waitFor();
        Path abandoned = Files.createDirectories(memory.resolve("attest-broker-1").resolve("topic-0"));
        Files.writeString(abandoned.getParent().resolve(LocalBroker.OWNER), String.valueOf(ended.pid()));
        Path live = Files.createDirectories(memory.resolve("attest-broker-2"));
        Files.writeString(live.resolve(LocalBroker.OWNER), String.valueOf(ProcessHandle.current().pid()));
        Path unowned = Files.createDirectories(memory.resolve("attest-broker-3"));
        Path other = Files.createDirectories(memory.resolve("someone-else"));
        Files.writeString(other.resolve(LocalBroker.OWNER), String.valueOf(ended.pid()));
        LocalBroker.dataDir(tmp.resolve("broker"), memory, "memory");
        assertThat(memory.resolve("attest-broker-1")).doesNotExist();
        assertThat(live).isDirectory();
        assertThat(unowned).isDirectory();
        assertThat(other).isDirectory();
    }
}
