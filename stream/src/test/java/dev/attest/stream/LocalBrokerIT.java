package dev.attest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The throwaway broker of attest demo --stream and attest bench --stream: closing it removes its topics' files, keeps its log. */
class LocalBrokerIT {
    @TempDir
    Path tmp;

    @Test
    void aClosedBrokerLeavesItsLogButNotItsData() throws Exception {
        Path dir = tmp.resolve("broker");
        KafkaBroker broker = KafkaBroker.start(dir);
        try {
            Properties p = Feed.props(broker.bootstrap());
            p.put("key.serializer", StringSerializer.class.getName());
            p.put("value.serializer", StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                producer.send(new ProducerRecord<>("kept-nowhere", "k", "v")).get(30, TimeUnit.SECONDS);
            }
            assertThat(broker.data().resolve("kept-nowhere-0")).isDirectory();
        } finally {
            broker.close();
        }
        assertThat(broker.data()).doesNotExist();
        assertThat(dir.resolve("broker.log")).isRegularFile();
        assertThat(Files.size(dir.resolve("broker.log"))).isPositive();
    }
}
