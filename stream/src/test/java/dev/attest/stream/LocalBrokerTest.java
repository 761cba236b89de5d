package dev.attest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
        assertThat(LocalBroker.properties(dir, 9092, 9093)).containsEntry("log.segment.bytes", String.valueOf(64 * 1024 * 1024))
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093").doesNotContainKey("log.cleaner.threads");
        System.setProperty(LocalBroker.PROPERTIES_PROPERTY, " log.segment.bytes=1073741824  log.cleaner.io.max.bytes.per.second=5e6 ");
        assertThat(LocalBroker.properties(dir, 9092, 9093)).containsEntry("log.segment.bytes", "1073741824")
                .containsEntry("log.cleaner.io.max.bytes.per.second", "5e6").containsEntry("node.id", "1");
        System.setProperty(LocalBroker.PROPERTIES_PROPERTY, "log.segment.bytes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalBroker.properties(dir, 9092, 9093)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'log.segment.bytes' is not key=value");
    }
}
