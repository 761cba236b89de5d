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
        String sql = "SELECT event_id, customer_id, meter, CAST(quantity AS VARCHAR), epoch_us(event_time), epoch_us(ingested_at), CAST(value AS VARCHAR), "
                + "dimensions FROM read_parquet('" + data.resolve("events").toString().replace("'", "''") + "/**/*.parquet')";
        List<Message> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            long row = 0;
            while (rs.next()) {
                ObjectNode o = JSON.createObjectNode();
                o.put("event_id", rs.getString(1));
                o.put("customer_id", rs.getString(2));
                o.put("meter", rs.getString(3));
                o.put("quantity", rs.getString(4));
                Instant t = micros(rs, 5), ingested = micros(rs, 6);
                o.put("event_time", t.toString());
                if (ingested != null) o.put("ingested_at", ingested.toString());
                if (rs.getString(7) != null) o.put("value", rs.getString(7));
                if (rs.getString(8) != null) o.put("dimensions", rs.getString(8));
                out.add(new Message(rs.getString(2), o.toString(), ingested != null ? ingested : t, row++));
            }
        }
        out.sort(Comparator.comparing(Message::arrival).thenComparing(Message::row));
        return out;
    }

    public static List<Message> decisions(Path data) throws SQLException {
        String sql = "SELECT decision_id, event_id, customer_id, meter, outcome, CAST(amount AS VARCHAR), currency, price_policy_id, price_version, "
                + "discount_policy_id, discount_version, entitlement_policy_id, entitlement_version, epoch_us(decided_at), invoice_id FROM read_parquet('"
                + data.resolve("decisions").toString().replace("'", "''") + "/**/*.parquet')";
        List<Message> out = new ArrayList<>();
        String[] names = {"decision_id", "event_id", "customer_id", "meter", "outcome", "amount", "currency", "price_policy_id", "price_version",
                "discount_policy_id", "discount_version", "entitlement_policy_id", "entitlement_version", "decided_at", "invoice_id"};
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            long row = 0;
            while (rs.next()) {
                ObjectNode o = JSON.createObjectNode();
                Instant decided = micros(rs, 14);
                for (int i = 0; i < names.length; i++) {
                    if (i == 13) o.put(names[i], decided.toString());
                    else if (i == 8 || i == 10 || i == 12) {
                        int v = rs.getInt(i + 1);
                        if (!rs.wasNull()) o.put(names[i], v);
                    } else if (rs.getString(i + 1) != null) o.put(names[i], rs.getString(i + 1));
                }
                out.add(new Message(rs.getString(3), o.toString(), decided, row++));
            }
        }
        out.sort(Comparator.comparing(Message::arrival).thenComparing(Message::row));
        return out;
    }

    private static Instant micros(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : Instant.EPOCH.plus(v, ChronoUnit.MICROS);
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
