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
 * A real one-node Apache Kafka (KRaft, broker and controller in one process) for tests and {@code attest demo --stream}:
 * formatted with {@code kafka.tools.StorageTool} and run as {@code kafka.Kafka} in a child JVM (as Kafka's scripts run it: 1 GB, G1) from the
 * kafka_2.13 jars the build resolved ({@link #buildClasspath()}), in a folder of its own, on free loopback ports. Its log (the
 * topics' files) is kept in memory where the machine has room ({@link #dataDir}) and removed when it stops.
 */
public final class LocalBroker implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalBroker.class);
    private final Path data;
    private final int port;
    private final Process process;
    private final Thread onExit;

    private LocalBroker(Path data, int port, Process process, Thread onExit) {
        this.data = data;
        this.port = port;
        this.process = process;
        this.onExit = onExit;
    }

    public static LocalBroker start(Path dir, String classpath) throws Exception {
        Files.createDirectories(dir);
        Path data = dataDir(dir, MEMORY, System.getProperty(DATA_PROPERTY, "memory"));
        int port = freePort(), controller = freePort();
        Properties p = properties(data, port, controller);
        Path props = dir.resolve("server.properties");
        try (var w = Files.newBufferedWriter(props)) {
            p.store(w, "one-node KRaft broker for tests");
        }
        Path log = dir.resolve("broker.log");
        Process format = new ProcessBuilder(java(classpath, "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", props.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            dev.attest.io.Folders.deleteTree(data);
            throw new IllegalStateException("formatting the broker's storage failed: " + Files.readString(dir.resolve("format.log")));
        }
        Process broker = new ProcessBuilder(brokerJava(classpath, props.toString())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // An interrupted demo or bench (Ctrl-C) stops its broker too, and gives back the memory its log took.
        Thread onExit = new Thread(() -> stop(broker, data), "local-broker-stop");
        Runtime.getRuntime().addShutdownHook(onExit);
        LocalBroker b = new LocalBroker(data, port, broker, onExit);
        b.awaitReady(Duration.ofSeconds(90), log);
        LOG.info("local broker on {}, its log in {}", b.bootstrap(), data);
        return b;
    }

    /** System property: where the broker keeps its log: {@code memory} (the default), {@code disk} (its own folder), or a folder. */
    public static final String DATA_PROPERTY = "attest.broker.data";

    /** The machine's memory file system, where a throwaway broker's log goes by default. */
    static final Path MEMORY = Path.of("/dev/shm");

    /** The least free space in {@link #MEMORY} for the log to go there (a demo's takes about 150 MB, a minute at 10,000/s about 1 GB). */
    static final long MEMORY_NEEDED = 4L << 30;

    /** Names the process that owns a log folder in {@link #MEMORY}: a folder whose owner is gone is removed at the next start. */
    static final String OWNER = "attest-owner.pid";

    /**
     * Where the broker's log goes. By default in memory ({@code /dev/shm}, when it has {@link #MEMORY_NEEDED} free): on this
     * virtual machine's disk (ext4, online discard), appends to a new topic's files stalled 100-690 ms at the broker, in the
     * first second of every demo (measured in the broker's request log: produce requests' local time), which set the printed
     * p99 (421-903 ms on disk, 94-155 ms in memory, alternated). The log is a throwaway one: deleted when the broker stops.
     * Elsewhere when asked ({@link #DATA_PROPERTY}), or when there is no such file system or too little of it.
     */
    static Path dataDir(Path dir, Path memory, String asked) throws IOException {
        Path data = switch (asked) {
            case "disk" -> dir.resolve("data");
            case "memory" -> {
                if (!Files.isDirectory(memory) || !Files.isWritable(memory)) yield dir.resolve("data");
                removeAbandoned(memory);
                if (Files.getFileStore(memory).getUsableSpace() < MEMORY_NEEDED) {
                    LOG.info("{} has less than {} GB free: the local broker's log goes to {}", memory, MEMORY_NEEDED >> 30, dir.resolve("data"));
                    yield dir.resolve("data");
                }
                Path d = Files.createTempDirectory(memory, "attest-broker-");
                Files.writeString(d.resolve(OWNER), String.valueOf(ProcessHandle.current().pid()));
                yield d;
            }
            default -> Path.of(asked).resolve("attest-broker-" + Uuid.randomUuid());
        };
        Files.createDirectories(data);
        return data;
    }

    /** Log folders in memory left by a process that ended without stopping its broker (killed): memory is not given back otherwise. */
    static void removeAbandoned(Path memory) throws IOException {
        try (var dirs = Files.newDirectoryStream(memory, "attest-broker-*")) {
            for (Path d : dirs) {
                Path owner = d.resolve(OWNER);
                if (!Files.isRegularFile(owner)) continue; // being created, or not ours
                long pid;
                try {
                    pid = Long.parseLong(Files.readString(owner).trim());
                } catch (NumberFormatException | IOException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                LOG.info("removing {}: the local broker's log of process {}, which is gone", d, pid);
                dev.attest.io.Folders.deleteTree(d);
            }
        }
    }

    /** The folder of the broker's log. */
    public Path data() {
        return data;
    }

    /** The broker's properties: a one-node KRaft broker and controller on loopback, its log in {@code data}, with the overrides of {@link #PROPERTIES_PROPERTY}. */
    static Properties properties(Path data, int port, int controller) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", data.toString());
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
        for (String kv : System.getProperty(PROPERTIES_PROPERTY, "").trim().split("\\s+")) { // for looking at it: other cleaner, segment settings
            if (kv.isEmpty()) continue;
            int eq = kv.indexOf('=');
            if (eq < 1) throw new IllegalArgumentException("-D" + PROPERTIES_PROPERTY + ": '" + kv + "' is not key=value");
            p.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return p;
    }

    /**
     * The class path of the Kafka broker as this build resolved it (kafka_2.13 and its dependencies in the local Maven
     * repository): written at build time by the dependency plugin, so a jar built here can start a broker here.
     */
    public static String buildClasspath() throws IOException {
        try (var in = LocalBroker.class.getResourceAsStream("broker.classpath")) {
            if (in == null) throw new IllegalStateException("this build has no broker.classpath resource");
            String cp = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            for (String entry : cp.split(java.io.File.pathSeparator))
                if (entry.contains("kafka_2.13") && !Files.exists(Path.of(entry)))
                    throw new IllegalStateException("the Kafka broker jars of this build are gone (" + entry + "): build again with ./mvnw package");
            return cp;
        }
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

    /** System property: broker properties over the defaults above, space-separated key=value pairs. */
    public static final String PROPERTIES_PROPERTY = "attest.broker.properties";

    /** System property: more options for the broker's JVM, space-separated (for looking at it: GC logs, a flight recording). */
    public static final String JVM_OPTIONS_PROPERTY = "attest.broker.jvmOptions";

    /**
     * The broker JVM's heap and collector: what Kafka's own start scripts give a broker ({@code kafka-server-start.sh},
     * {@code kafka-run-class.sh}). It was a 512 MB heap with the Serial collector, whose young pauses took 30-95 ms every
     * 2 s under the demo's load, every transaction and fetch of the stream waiting behind them; G1 with a 20 ms goal
     * keeps them under 10 ms.
     */
    static final String GC = "-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent";

    /** System property: the broker JVM's heap and collector options instead of {@link #GC}, separated by spaces or commas. */
    public static final String GC_PROPERTY = "attest.broker.gc";

    /**
     * The broker's command line: {@link #GC} (or {@link #GC_PROPERTY}'s), then {@link #JVM_OPTIONS_PROPERTY}'s options, then
     * {@code kafka.Kafka} with its properties file.
     */
    static List<String> brokerJava(String classpath, String properties) {
        List<String> jvm = new ArrayList<>(List.of(System.getProperty(GC_PROPERTY, GC).trim().split("[\\s,]+")));
        String extra = System.getProperty(JVM_OPTIONS_PROPERTY, "").trim(); // -Xlog:gc:file=..., -XX:StartFlightRecording=...
        if (!extra.isEmpty()) jvm.addAll(List.of(extra.split("\\s+")));
        return java(jvm, classpath, "kafka.Kafka", properties);
    }

    /** A java command line running {@code main} on this JVM's class path (tools, tests' child processes), heap capped: the machine is shared. */
    public static List<String> java(String classpath, String main, String... args) {
        return java(List.of("-Xmx512m", "-XX:+UseSerialGC"), classpath, main, args);
    }

    private static List<String> java(List<String> jvmOptions, String classpath, String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classpath, main));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Stops the broker and removes its log folder: a throwaway broker's topics are of no use once it is gone (a demo's took
     * about 150 MB, left behind at every run; in memory, until the machine restarts). Its {@code broker.log} stays in the
     * broker's folder, for whoever asks why.
     */
    @Override
    public void close() throws Exception {
        stop(process, data);
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException exiting) {
            // the hook is running or has run: it did the same
        }
    }

    private static void stop(Process process, Path data) {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!process.isAlive()) dev.attest.io.Folders.deleteTree(data);
    }
}
