package dev.attest.stream;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A real one-node Apache Kafka (KRaft, broker and controller in one process) for tests: formatted with
 * {@code kafka.tools.StorageTool} and run as {@code kafka.Kafka} in a child JVM (-Xmx512m) from the test class path's
 * kafka_2.13 jars, in a temporary folder, on free loopback ports. One per test class: starting takes a few seconds.
 */
public final class KafkaBroker implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Process process;

    private KafkaBroker(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    public static KafkaBroker start(Path dir) throws Exception {
        Files.createDirectories(dir);
        int port = freePort(), controller = freePort();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.resolve("data").toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        Path props = dir.resolve("server.properties");
        try (var w = Files.newBufferedWriter(props)) {
            p.store(w, "one-node KRaft broker for tests");
        }
        Path log = dir.resolve("broker.log");
        Process format = new ProcessBuilder(java("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", props.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0)
            throw new IllegalStateException("formatting the broker's storage failed: " + Files.readString(dir.resolve("format.log")));
        Process broker = new ProcessBuilder(java("kafka.Kafka", props.toString())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        KafkaBroker b = new KafkaBroker(dir, port, broker);
        b.awaitReady(Duration.ofSeconds(90), log);
        return b;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    private void awaitReady(Duration timeout, Path log) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        p.put("request.timeout.ms", "3000");
        p.put("default.api.timeout.ms", "5000");
        while (System.nanoTime() < end) { // the port first: an admin client on a closed port logs a warning per retry
            if (!process.isAlive()) throw new IllegalStateException("the broker exited: " + Files.readString(log));
            try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                break;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        while (System.nanoTime() < end) {
            if (!process.isAlive()) throw new IllegalStateException("the broker exited: " + Files.readString(log));
            try (Admin a = Admin.create(p)) {
                if (!a.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) return;
            } catch (Exception e) {
                Thread.sleep(300);
            }
        }
        close();
        throw new IllegalStateException("the broker did not answer within " + timeout + ": " + Files.readString(log));
    }

    /** A java command line running {@code main} on this JVM's class path, heap capped (the machine is shared). */
    static List<String> java(String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
