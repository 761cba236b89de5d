package dev.attest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalBrokerTest {
    @AfterEach
    void clear() {
        System.clearProperty(LocalBroker.JVM_OPTIONS_PROPERTY);
    }

    /** Options for looking at the broker (a GC log, a flight recording) go to its JVM, before the class path and main class. */
    @Test
    void theBrokersJvmTakesTheOptionsItIsGiven() {
        assertThat(LocalBroker.java("a.jar", "kafka.Kafka", "server.properties")).endsWith("-XX:+UseSerialGC", "-cp", "a.jar", "kafka.Kafka", "server.properties");
        System.setProperty(LocalBroker.JVM_OPTIONS_PROPERTY, " -Xlog:gc:file=/tmp/gc.log   -XX:StartFlightRecording=filename=/tmp/b.jfr ");
        List<String> cmd = LocalBroker.java("a.jar", "kafka.Kafka", "server.properties");
        assertThat(cmd).containsSubsequence("-Xmx512m", "-Xlog:gc:file=/tmp/gc.log", "-XX:StartFlightRecording=filename=/tmp/b.jfr", "-cp", "a.jar", "kafka.Kafka",
                "server.properties");
        assertThat(cmd).doesNotContain("");
    }
}
