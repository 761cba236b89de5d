package dev.attest.stream;

import dev.attest.core.live.Emission;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What {@link StreamRunner} tells observers (metrics, alerts, the bench), always on the stream's own thread, in this
 * order per transaction: {@link #handled} and {@link #emitted} for what a batch did, {@link #inTransaction} for records
 * to publish with it (it seals the batch), then {@link #committed} once that transaction committed. Commits overlap the
 * next batch: its {@link #handled} and {@link #emitted} may come before the sealed one's {@link #committed}, never its
 * {@link #inTransaction}. Nothing seen before a commit is final: a process that dies before {@link #committed} redoes
 * that batch after its restart.
 */
public interface StreamListener {
    StreamListener NONE = new StreamListener() {};

    /** The topics exist, producer transactions are initialised (an earlier process is fenced); reading starts next. */
    default void ready() {}

    /** After every poll: the reader's position, for lag. Only on this thread (a consumer is not thread-safe). */
    default void polled(Consumer<String, String> consumer) {}

    /** One input record processed, in {@code nanos} (parse, audit, emissions; not the commit). */
    default void handled(ConsumerRecord<String, String> record, long nanos) {}

    /** A verdict, settled finding or late datum about to be published in the open transaction. */
    default void emitted(Emission emission) {}

    /** An input record that could not be read, about to be published to the dead-letter topic. */
    default void deadLetter(ConsumerRecord<String, String> record) {}

    /** Records this observer publishes in the open transaction, with the outputs they belong to; seals the batch. */
    default List<ProducerRecord<String, String>> inTransaction() {
        return List.of();
    }

    /** The sealed transaction committed: its outputs are readable and its offsets stored. */
    default void committed() {}

    /** Several observers, told in order. */
    static StreamListener all(StreamListener... listeners) {
        List<StreamListener> ls = List.of(listeners);
        return new StreamListener() {
            public void ready() { ls.forEach(StreamListener::ready); }
            public void polled(Consumer<String, String> c) { for (StreamListener l : ls) l.polled(c); }
            public void handled(ConsumerRecord<String, String> r, long nanos) { for (StreamListener l : ls) l.handled(r, nanos); }
            public void emitted(Emission e) { for (StreamListener l : ls) l.emitted(e); }
            public void deadLetter(ConsumerRecord<String, String> r) { for (StreamListener l : ls) l.deadLetter(r); }
            public List<ProducerRecord<String, String>> inTransaction() {
                List<ProducerRecord<String, String>> out = new ArrayList<>();
                for (StreamListener l : ls) out.addAll(l.inTransaction());
                return out;
            }
            public void committed() { ls.forEach(StreamListener::committed); }
        };
    }
}
