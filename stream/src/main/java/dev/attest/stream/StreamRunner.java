package dev.attest.stream;

import dev.attest.core.checks.Checks;
import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.findings.Reconciler;
import dev.attest.core.live.CustomerSnapshot;
import dev.attest.core.live.Emission;
import dev.attest.core.live.LiveAudit;
import dev.attest.core.live.LiveEvent;
import dev.attest.core.live.Verdict;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.rating.BillingCycles;
import dev.attest.io.checks.ChecksLoader;
import dev.attest.io.customers.CustomersLoader;
import dev.attest.io.policy.PolicyLoader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code attest stream}: reads events and decisions from Kafka, runs a {@link LiveAudit}, and publishes verdicts, settled
 * findings, dead letters and the audit's per-customer checkpoint in one Kafka transaction per batch read, together with
 * the input offsets (consume, produce and commit in one transaction). A kill at any moment aborts the open transaction;
 * a restart reads the last committed checkpoint and offsets, so no verdict is lost and none is published twice.
 *
 * <p>One process reads every partition of both input topics (manual assignment) under one transactional id: a second
 * process with the same group id fences the first. Events and decisions must be keyed by customer_id with the same
 * partition count, so that a customer's messages of both topics share a partition number; the checkpoint of a customer
 * goes to that partition of the state topic.
 */
public final class StreamRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamRunner.class);
    private static final Duration POLICY_CHECK = Duration.ofSeconds(2);

    /** How a run ended. */
    public sealed interface Outcome permits Stopped, Idle {}

    /** Stopped from outside (a signal, {@link #stop()}). */
    public record Stopped(Totals totals) implements Outcome {}

    /** Nothing to read and nothing pending for {@code --exit-when-idle}. */
    public record Idle(Totals totals) implements Outcome {}

    public record Totals(long read, long verdicts, long findings, long deadLetters, long late, long transactions) {}

    /**
     * Where the time goes inside the process, in microseconds: a record's check (parse and audit, from the poll to its
     * verdicts), a transaction's commit (send, offsets, commit marker), and a settle call (watermarks moved, what they
     * passed settled, with its output: where a period's close shows).
     */
    public record Timings(long checks, long checkP50, long checkP99, long checkMax, long commits, long commitP50, long commitP99, long commitMax,
                          long settles, long settleP50, long settleP99, long settleMax) {}

    /** Counts of durations by microsecond up to 1 s (above: in the last slot); read while the stream runs. */
    private static final class Histogram {
        private final long[] counts = new long[1_000_001];
        private long n, max;

        synchronized void add(long nanos) {
            long us = nanos / 1000;
            counts[(int) Math.min(us, counts.length - 1)]++;
            n++;
            max = Math.max(max, us);
        }

        synchronized long[] summary() {
            return new long[] {n, at(0.50), at(0.99), max};
        }

        private long at(double q) {
            long rank = (long) Math.ceil(q * n), seen = 0;
            for (int i = 0; i < counts.length && rank > 0; i++) if ((seen += counts[i]) >= rank) return i;
            return 0;
        }
    }

    private final StreamOptions opt;
    private final Clock clock;
    private final StreamListener listener; // metrics, alerts, the bench: told on this thread, see StreamListener
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
    private final Map<String, Integer> customerPartition = new HashMap<>();
    private KafkaConsumer<String, String> consumer;
    // Two transactional producers take turns: one transaction commits (its markers) while the next one fills, so the loop
    // does not stop for each commit. The next commits only after the one before it, and its records follow all of that one's.
    private KafkaProducer<String, String> producer, previous;
    private final java.util.concurrent.ExecutorService committer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "attest-commit");
        t.setDaemon(true);
        return t;
    });
    private java.util.concurrent.Future<Long> committing; // the previous transaction's commit, ending at the nanoTime it returns
    private Map<TopicPartition, OffsetAndMetadata> committingOffsets;
    private long committingStart;
    private LiveAudit audit;
    private PolicyWatch policies;
    private HourlyFindings hourly;
    private int statePartitions;
    private long read, verdicts, findings, deadLetters, late, transactions;
    private final List<ProducerRecord<String, String>> out = new ArrayList<>(); // the poll's outputs, sent with its transaction
    private long processNanos, commitNanos, snapshotNanos, snapshots, snapshotChars, pollNanos, waitNanos; // where the time goes (logged every 10 s)
    private static final String ROW_KINDS = "hedpv"; // checkpoint rows by kind, then tombstones (logged every 10 s)
    private final long[] rowsByKind = new long[ROW_KINDS.length() + 1];
    private long lastReport = System.nanoTime();
    private long lastCommitNanos = System.nanoTime() - (1L << 40); // when the last transaction was sent (the commit interval counts from it)
    private final long commitIntervalNanos;
    // The input offsets read since the last transaction: they go with the next one.
    private Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    private final Histogram checkTimes = new Histogram(), commitTimes = new Histogram(), settleTimes = new Histogram();

    public StreamRunner(StreamOptions options, Clock clock) {
        this(options, clock, StreamListener.NONE);
    }

    public StreamRunner(StreamOptions options, Clock clock, StreamListener listener) {
        this.opt = options;
        this.commitIntervalNanos = options.commitInterval().toNanos();
        this.clock = clock;
        this.listener = listener;
    }

    /** True once the topics exist, the state is restored and the reader sits at the committed offsets. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    public void stop() {
        running.set(false);
        KafkaConsumer<String, String> c = consumer;
        if (c != null) c.wakeup();
    }

    public Outcome run() throws Exception {
        Checks checks = opt.checks() == null ? Checks.NONE : ChecksLoader.load(opt.checks());
        java.math.BigDecimal tolerance = opt.tolerance() != null ? opt.tolerance() : checks.tolerance();
        Reconciler.Params params = new Reconciler.Params(tolerance, opt.lateAfter(), checks.tolerancePerCurrency(), checks.tolerancePerMeter(),
                checks.severities());
        BillingCycles cycles = opt.customers() == null ? BillingCycles.calendarMonths() : CustomersLoader.load(opt.customers());
        policies = new PolicyWatch(opt.policies());
        PolicyRegistry registry = new PolicyRegistry(PolicyLoader.load(opt.policies()));
        LiveAudit.Seed seed = opt.nightlyState() == null ? LiveAudit.Seed.NONE : NightlySeed.load(opt.nightlyState());
        audit = new LiveAudit(registry, cycles, params, new LiveAudit.Settings(opt.hold(), opt.idle(),
                Integer.getInteger("attest.stream.closeSlice", LiveAudit.Settings.CLOSE_SLICE)), clock, seed);
        if (opt.out() != null) hourly = new HourlyFindings(opt.out(), opt.metadataUrl(), "stream:" + opt.groupId());

        List<TopicPartition> inputs = prepareTopics();
        producer = new KafkaProducer<>(producerProps(".stream"));
        producer.initTransactions(); // fences an earlier process of this group and ends its open transaction
        previous = new KafkaProducer<>(producerProps(".stream-2"));
        previous.initTransactions();
        // Each producer's first send to a topic waits for that topic's metadata (10-25 ms here, on this thread, inside a
        // transaction): fetched now, at start-up, rather than during the first second's verdicts.
        for (KafkaProducer<String, String> k : List.of(producer, previous))
            for (String t : List.of(opt.verdictsTopic(), opt.findingsTopic(), opt.deadLetterTopic(), opt.stateTopic())) k.partitionsFor(t);
        // A producer's first transaction waited 150-650 ms at the broker (its first markers) in the demo's first second: each
        // producer commits one now, a tombstone of a key no reader keeps on every partition of the state topic. (Measured
        // with the broker's log on a virtual disk, whose stalled appends were later found to be most of that second's delay:
        // docs/stream.md, ninth round. What this transaction alone saves with the log in memory was not measured again.)
        for (KafkaProducer<String, String> k : List.of(producer, previous)) {
            k.beginTransaction();
            for (int i = 0; i < statePartitions; i++) k.send(new ProducerRecord<>(opt.stateTopic(), i, CheckpointRows.START_KEY, null));
            k.commitTransaction();
        }
        CheckpointRows.Reader checkpoint = restoreState();
        consumer = new KafkaConsumer<>(consumerProps());
        consumer.assign(inputs);
        for (TopicPartition tp : inputs) {
            Long o = checkpoint.offset(tp.topic(), tp.partition());
            if (o == null) consumer.seekToBeginning(List.of(tp));
            else consumer.seek(tp, o);
        }
        listener.ready();
        ready.countDown();
        LOG.info("streaming {} and {} from {}; hold {}, idle {}", opt.eventsTopic(), opt.decisionsTopic(), opt.bootstrapServers(), opt.hold(), opt.idle());
        Instant lastPolicyCheck = clock.instant();
        Instant idleSince = clock.instant();
        try {
            while (running.get()) {
                ConsumerRecords<String, String> records;
                long pollStart = System.nanoTime();
                // Something waits for the next transaction: poll no longer than until that transaction is due.
                long timeout = toCommit() ? Math.max(0, Math.min(lastCommitNanos + commitIntervalNanos - System.nanoTime(), POLL_NANOS)) : POLL_NANOS;
                if (audit.settling()) timeout = 0; // a closed volume period's next slice waits for nothing
                try {
                    records = consumer.poll(Duration.ofNanos(timeout));
                } catch (WakeupException e) {
                    break;
                }
                long pollEnd = System.nanoTime();
                pollNanos += pollEnd - pollStart;
                if (committing != null && (records.isEmpty() || committing.isDone())) awaitCommitted();
                listener.polled(consumer);
                if (pollEnd - lastReport > 10_000_000_000L) {
                    lastReport = pollEnd;
                    LOG.info("{}; polls {} ms, processing {} ms, checkpoint rows {} {} ({} characters, {} ms), commits {} ms, waiting for the previous commit {} ms",
                            totals(), pollNanos / 1_000_000, processNanos / 1_000_000, snapshots, rowsByKind(), snapshotChars, snapshotNanos / 1_000_000, commitNanos / 1_000_000,
                            waitNanos / 1_000_000);
                }
                // Policies are looked at on the clock, busy or idle: a stream that never has an empty poll still sees a
                // change (it used to look only after a whole empty poll), and a version written ahead of its recorded_at
                // is taken in when the clock passes it. Before this poll's records and any settling: what settles is final.
                Instant now = clock.instant();
                if (Duration.between(lastPolicyCheck, now).compareTo(POLICY_CHECK) >= 0) {
                    lastPolicyCheck = now;
                    policies.changed().ifPresent(next -> audit.replacePolicies(next, e -> emit(e, null)));
                }
                audit.advanceKnowledge(e -> emit(e, null));
                if (!records.isEmpty()) {
                    idleSince = clock.instant();
                    // Events of the batch before its decisions: a decision read with its event is then joined at once, not first
                    // published as a provisional orphan and superseded a moment later. Each partition keeps its own order.
                    for (String topic : List.of(opt.eventsTopic(), opt.decisionsTopic())) {
                        for (ConsumerRecord<String, String> r : records) {
                            if (!r.topic().equals(topic)) continue;
                            long t = System.nanoTime();
                            handle(r);
                            long took = System.nanoTime() - t;
                            checkTimes.add(took);
                            listener.handled(r, took);
                            offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                        }
                    }
                    settle(false);
                } else if (timeout == POLL_NANOS) { // a whole empty poll: idle partitions may follow the clock (a shortened one says nothing)
                    settle(caughtUp());
                } else if (audit.settling()) { // a closed volume period's next slice does not wait for a whole empty poll
                    settle(false);
                }
                processNanos += System.nanoTime() - pollEnd;
                if (!toCommit()) {
                    if (opt.exitWhenIdle() != null && audit.counters().pendingEvents() == 0
                            && Duration.between(idleSince, clock.instant()).compareTo(opt.exitWhenIdle()) >= 0)
                        return new Idle(totals()); // (an empty poll waited for the last commit)
                    continue;
                }
                // Fewer, larger transactions: each costs the broker about as much as the records in it (measured: a broker spent
                // 1.1 cores on 100 decisions/s, one transaction per record). What waits goes with the next poll's.
                if (System.nanoTime() - lastCommitNanos < commitIntervalNanos) continue;
                commit(audit.drainChanges(), offsets);
                offsets = new HashMap<>();
            }
            if (toCommit()) commit(audit.drainChanges(), offsets); // what waited for the interval
            awaitCommitted(); // a stop lets the last transaction finish: its observers and hourly files are told
        } finally {
            LOG.info("stream stopping: {}", totals());
        }
        return new Stopped(totals());
    }

    private void settle(boolean caughtUp) {
        long t = System.nanoTime();
        audit.settle(caughtUp, e -> emit(e, null));
        settleTimes.add(System.nanoTime() - t);
    }

    /** How long a poll waits when nothing waits for a transaction. */
    private static final long POLL_NANOS = 100_000_000L;

    /** Outputs, checkpoint rows or input offsets wait for the next transaction. */
    private boolean toCommit() {
        return !out.isEmpty() || !offsets.isEmpty() || audit.hasChanges();
    }

    private String rowsByKind() {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < ROW_KINDS.length(); i++) b.append(ROW_KINDS.charAt(i)).append('=').append(rowsByKind[i]).append(", ");
        return b.append("tombstone=").append(rowsByKind[ROW_KINDS.length()]).append('}').toString();
    }

    /**
     * Read everything there is: an empty poll alone may be a slow fetch, and a partition taken for idle while its data
     * waits in the log would settle too early (and its data would then count as late).
     */
    private boolean caughtUp() {
        for (TopicPartition tp : consumer.assignment()) {
            java.util.OptionalLong lag = consumer.currentLag(tp);
            if (lag.isEmpty() || lag.getAsLong() > 0) return false;
        }
        return true;
    }

    public Totals totals() {
        return new Totals(read, verdicts, findings, deadLetters, late, transactions);
    }

    public Timings timings() {
        long[] c = checkTimes.summary(), t = commitTimes.summary(), s = settleTimes.summary();
        return new Timings(c[0], c[1], c[2], c[3], t[0], t[1], t[2], t[3], s[0], s[1], s[2], s[3]);
    }

    /**
     * The poll's transaction: its outputs, the checkpoint rows that changed with them, and the input offsets. Sent after the
     * poll is judged rather than as it is: the previous transaction's records are then mostly acknowledged already (its
     * commit runs meanwhile), so the wait below is short, and its own records travel while the next poll is judged.
     */
    private void commit(List<CustomerSnapshot.Changes> dirty, Map<TopicPartition, OffsetAndMetadata> offsets) {
        long start = System.nanoTime();
        // The previous transaction's records reach their partitions first (its commit may still be writing markers): a
        // customer's verdicts, and a checkpoint row's later values, keep their order across the two producers.
        if (committing != null) {
            previous.flush();
            waitNanos += System.nanoTime() - start;
        }
        producer.beginTransaction();
        for (ProducerRecord<String, String> r : out) producer.send(r);
        out.clear();
        long t0 = System.nanoTime();
        for (CustomerSnapshot.Changes ch : dirty) {
            Integer p = customerPartition.get(ch.customerId());
            int partition = p == null ? Math.floorMod(ch.customerId().hashCode(), statePartitions) : p % statePartitions;
            CheckpointRows.write(ch, (key, value) -> {
                snapshots++;
                snapshotChars += key.length() + (value == null ? 0 : value.length());
                rowsByKind[value == null ? ROW_KINDS.length() : ROW_KINDS.indexOf(key.charAt(2))]++; // keys start ["k"
                producer.send(new ProducerRecord<>(opt.stateTopic(), partition, key, value));
            });
        }
        long t1 = System.nanoTime();
        snapshotNanos += t1 - t0;
        awaitCommitted(); // before this transaction's own listener records: observers see one transaction at a time
        for (ProducerRecord<String, String> r : listener.inTransaction()) producer.send(r);
        // The input offsets go to the state topic, in the transaction, rather than to the group (sendOffsetsToTransaction): the
        // same atomicity without two more round trips to the coordinators, which took about two thirds of each commit.
        for (Map.Entry<TopicPartition, OffsetAndMetadata> o : offsets.entrySet())
            CheckpointRows.offset(o.getKey().topic(), o.getKey().partition(), o.getValue().offset(), (key, value) -> producer.send(
                    new ProducerRecord<>(opt.stateTopic(), o.getKey().partition() % statePartitions, key, value)));
        KafkaProducer<String, String> p = producer;
        lastCommitNanos = System.nanoTime();
        committing = committer.submit(() -> {
            p.commitTransaction(); // any failure here ends the process: a restart resumes from the last committed one
            return System.nanoTime();
        });
        committingOffsets = offsets;
        committingStart = start;
        if (hourly != null) hourly.seal();
        producer = previous;
        previous = p;
        commitNanos += System.nanoTime() - t1;
    }

    /** Waits for the previous transaction's commit (rethrowing its failure), then tells what it made final. */
    private void awaitCommitted() {
        if (committing == null) return;
        long end, t = System.nanoTime();
        try {
            end = committing.get();
            waitNanos += System.nanoTime() - t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a transaction committed", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException("the transaction's commit failed", e.getCause());
        }
        committing = null;
        // The group's offsets follow, for lag tools only: a restart reads the state topic's, never these.
        if (!committingOffsets.isEmpty()) consumer.commitAsync(committingOffsets, null);
        transactions++;
        commitTimes.add(end - committingStart);
        listener.committed();
        if (hourly != null) hourly.flush();
    }

    private void handle(ConsumerRecord<String, String> r) {
        read++;
        Position at = new Position(r.topic(), r.partition(), r.offset());
        try {
            if (r.topic().equals(opt.eventsTopic())) {
                LiveEvent e = Messages.event(r.value(), opt.eventsMap());
                customerPartition.put(e.event().customerId(), r.partition());
                audit.onEvent(e, x -> emit(x, at));
            } else {
                DecisionRecord d = Messages.decision(r.value(), opt.decisionsMap());
                customerPartition.put(d.customerId(), r.partition());
                audit.onDecision(d, x -> emit(x, at));
            }
        } catch (Messages.BadMessage bad) {
            deadLetters++;
            listener.deadLetter(r);
            out.add(new ProducerRecord<>(opt.deadLetterTopic(), r.key(),
                    Messages.deadLetter(bad.getMessage(), r.topic(), r.partition(), r.offset(), r.key(), r.value())));
        }
    }

    private record Position(String topic, int partition, long offset) {}

    private void emit(Emission e, Position at) {
        listener.emitted(e);
        if (e instanceof Verdict v) {
            verdicts++;
            out.add(new ProducerRecord<>(opt.verdictsTopic(), v.customerId(), Messages.verdict(v, clock.instant())));
        } else if (e instanceof Emission.Settled s) {
            findings++;
            String json = Messages.finding(s, "stream:" + opt.groupId());
            out.add(new ProducerRecord<>(opt.findingsTopic(), s.finding().customerId(), json));
            if (hourly != null) hourly.add(clock.instant(), json, s.fingerprint(), s.finding().code().name());
        } else if (e instanceof Emission.Late l) {
            late++;
            out.add(new ProducerRecord<>(opt.deadLetterTopic(), l.customerId(),
                    Messages.late(l, at == null ? null : at.topic(), at == null ? -1 : at.partition(), at == null ? -1 : at.offset())));
        }
    }

    /** Reads every committed checkpoint row and input offset (the state topic is compacted: the last of each key counts). */
    private CheckpointRows.Reader restoreState() {
        Properties p = consumerProps();
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        int restored = 0;
        CheckpointRows.Reader rows = new CheckpointRows.Reader();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int i = 0; i < statePartitions; i++) parts.add(new TopicPartition(opt.stateTopic(), i));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            Map<String, Integer> where = new HashMap<>();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    rows.add(r.key(), r.value());
                    where.put(r.key(), r.partition());
                }
            }
            for (CustomerSnapshot s : rows.snapshots()) {
                audit.restore(s);
                customerPartition.put(s.customerId(), where.get(CheckpointRows.key("h", s.customerId())));
                restored++;
            }
        }
        audit.drainDirty();
        LOG.info("restored the state of {} customers from {}", restored, opt.stateTopic());
        return rows;
    }

    /** The input topics' partitions; the outputs and the compacted state topic are created when missing. */
    private List<TopicPartition> prepareTopics() throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(common())) {
            Set<String> existing = admin.listTopics().names().get();
            for (String t : List.of(opt.eventsTopic(), opt.decisionsTopic()))
                if (!existing.contains(t)) create(admin, t, 1, Map.of());
            // (Topics created a moment ago, here or by the publisher, may not be described yet: partitions() waits for them.)
            int ep = partitions(admin, opt.eventsTopic()), dp = partitions(admin, opt.decisionsTopic());
            if (ep != dp)
                throw new IllegalArgumentException("topics " + opt.eventsTopic() + " (" + ep + " partitions) and " + opt.decisionsTopic() + " (" + dp
                        + ") must have the same partition count: a customer's events and decisions are joined by partition");
            for (String t : List.of(opt.verdictsTopic(), opt.findingsTopic(), opt.deadLetterTopic()))
                if (!existing.contains(t)) create(admin, t, ep, Map.of());
            if (!existing.contains(opt.stateTopic())) create(admin, opt.stateTopic(), ep, Map.of("cleanup.policy", "compact"));
            statePartitions = partitions(admin, opt.stateTopic());
            for (String t : List.of(opt.verdictsTopic(), opt.findingsTopic(), opt.deadLetterTopic())) partitions(admin, t);
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < ep; i++) {
                tps.add(new TopicPartition(opt.eventsTopic(), i));
                tps.add(new TopicPartition(opt.decisionsTopic(), i));
            }
            return tps;
        }
    }

    /** A topic's partition count, once the broker knows it (a topic just created takes a moment to be described). */
    private static int partitions(Admin admin, String topic) throws InterruptedException, ExecutionException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) || System.nanoTime() > end) throw e;
                Thread.sleep(100);
            }
        }
    }

    private static void create(Admin admin, String topic, int partitions, Map<String, String> config) throws InterruptedException, ExecutionException {
        try {
            admin.createTopics(List.of(new NewTopic(topic, java.util.Optional.of(partitions), java.util.Optional.empty()).configs(config))).all().get();
            LOG.info("created topic {} ({} partitions)", topic, partitions);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
    }

    private Properties common() {
        Properties p = new Properties();
        p.putAll(opt.kafka());
        p.put("bootstrap.servers", opt.bootstrapServers());
        return p;
    }

    private Properties consumerProps() {
        Properties p = common();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, opt.groupId());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // One transaction per poll (or per --commit-interval, polls gathered), whatever it brought: small under a light load,
        // larger under a heavy one or a backlog, up to this bound per poll (fewer commits per record).
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return p;
    }

    private Properties producerProps(String suffix) {
        Properties p = common();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, opt.groupId() + suffix);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    @Override
    public void close() {
        if (consumer != null) consumer.close();
        committer.shutdownNow();
        if (producer != null) producer.close(Duration.ofSeconds(5));
        if (previous != null) previous.close(Duration.ofSeconds(5));
        if (hourly != null) hourly.close();
    }
}
