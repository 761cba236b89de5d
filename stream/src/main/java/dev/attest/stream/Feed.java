package dev.attest.stream;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Test data on a real broker: the generator's Parquet events and decisions as JSON messages keyed by customer_id, each
 * topic in arrival order (an event when it was ingested, a decision when it was decided); and read_committed reads of
 * the stream's outputs.
 */
public final class Feed {
    public static final JsonMapper JSON = JsonMapper.builder().build();

    public record Message(String key, String json, Instant arrival, long row) {}

    private Feed() {}

    public static List<Message> events(Path data) throws SQLException {
        return ParquetFeed.events(data).stream().map(m -> new Message(m.key(), m.json(), m.arrival(), m.row())).toList();
    }

    public static List<Message> decisions(Path data) throws SQLException {
        return ParquetFeed.decisions(data).stream().map(m -> new Message(m.key(), m.json(), m.arrival(), m.row())).toList();
    }

    public static void createTopics(String bootstrap, int partitions, String... topics) throws Exception {
        try (Admin a = Admin.create(props(bootstrap))) {
            List<NewTopic> ts = new ArrayList<>();
            for (String t : topics) ts.add(new NewTopic(t, partitions, (short) 1));
            a.createTopics(ts).all().get(30, TimeUnit.SECONDS);
        }
    }

    public static void publish(String bootstrap, String topic, List<Message> messages) throws Exception {
        Properties p = props(bootstrap);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("linger.ms", "5");
        p.put("acks", "all");
        try (KafkaProducer<String, String> prod = new KafkaProducer<>(p)) {
            for (Message m : messages) prod.send(new ProducerRecord<>(topic, m.key(), m.json()));
            prod.flush();
        }
    }

    /** Every committed record of {@code topic}, in partition then offset order. */
    public static List<ConsumerRecord<String, String>> readCommitted(String bootstrap, String topic) {
        Properties p = props(bootstrap);
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline)
                c.poll(java.time.Duration.ofMillis(200)).forEach(out::add);
        }
        out.sort(Comparator.comparing((ConsumerRecord<String, String> r) -> r.partition()).thenComparing(ConsumerRecord::offset));
        return out;
    }

    public static Properties props(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return p;
    }
}
