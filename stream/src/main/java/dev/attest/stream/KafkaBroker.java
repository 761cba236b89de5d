package dev.attest.stream;

import java.nio.file.Path;
import java.util.List;

/** The tests' broker (kept in main so that app's tests share it): a {@link LocalBroker} from the test class path's kafka_2.13 jars. */
public final class KafkaBroker implements AutoCloseable {
    private final LocalBroker broker;

    private KafkaBroker(LocalBroker broker) {
        this.broker = broker;
    }

    public static KafkaBroker start(Path dir) throws Exception {
        return new KafkaBroker(LocalBroker.start(dir, System.getProperty("java.class.path")));
    }

    public String bootstrap() {
        return broker.bootstrap();
    }

    /** A java command line running {@code main} on this JVM's class path, heap capped (the machine is shared). */
    static List<String> java(String main, String... args) {
        return LocalBroker.java(System.getProperty("java.class.path"), main, args);
    }

    /** The folder of the broker's log. */
    public Path data() {
        return broker.data();
    }

    @Override
    public void close() throws Exception {
        broker.close();
    }
}
