package dev.attest.generator;

import dev.attest.io.arrow.DuckTableSink;

import dev.attest.generator.PartitionOutput.DecisionRow;
import dev.attest.generator.PartitionOutput.EventRow;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The rows of consecutive partitions as one Arrow record batch per table (DuckDB scans a few large batches
 * much faster than many small ones), built on the worker thread that made them: each partition's rows are
 * appended as soon as they exist, so the heap only ever holds one partition's row objects. Column types
 * are the contract's: strings, DECIMAL(38,9), timestamps with time zone (microseconds, UTC), INTEGER versions.
 */
final class ArrowBatches {
    static final int SCALE = DuckTableSink.DECIMAL_SCALE;

    static final Schema EVENTS = new Schema(List.of(
            DuckTableSink.utf8("event_id"), DuckTableSink.utf8("customer_id"), DuckTableSink.utf8("meter"), DuckTableSink.decimal("quantity"), DuckTableSink.timestamp("event_time"),
            DuckTableSink.timestamp("ingested_at"), DuckTableSink.decimal("value"), DuckTableSink.utf8("dimensions")));

    static final Schema DECISIONS = new Schema(List.of(
            DuckTableSink.utf8("decision_id"), DuckTableSink.utf8("event_id"), DuckTableSink.utf8("customer_id"), DuckTableSink.utf8("meter"), DuckTableSink.utf8("outcome"), DuckTableSink.decimal("amount"),
            DuckTableSink.utf8("currency"), DuckTableSink.utf8("price_policy_id"), DuckTableSink.int32("price_version"), DuckTableSink.utf8("discount_policy_id"), DuckTableSink.int32("discount_version"),
            DuckTableSink.utf8("entitlement_policy_id"), DuckTableSink.int32("entitlement_version"), DuckTableSink.timestamp("decided_at"), DuckTableSink.utf8("invoice_id")));

    private ArrowBatches() {}

    /** The events of consecutive partitions as one batch (DuckDB scans large batches faster than many small ones). */
    /** Appends rows to the vectors of one schema; {@link #finish()} hands them over as a record batch. */
    abstract static class Builder implements AutoCloseable {
        final VectorSchemaRoot root;
        int rows;

        Builder(BufferAllocator allocator, Schema schema, int capacity) {
            root = VectorSchemaRoot.create(schema, allocator);
            for (org.apache.arrow.vector.FieldVector v : root.getFieldVectors()) {
                if (v instanceof VarCharVector s) s.allocateNew(16L * Math.max(1, capacity), Math.max(1, capacity));
                else {
                    v.setInitialCapacity(Math.max(1, capacity));
                    v.allocateNew();
                }
            }
        }

        abstract void add(PartitionOutput part);

        int rows() {
            return rows;
        }

        /** The batch keeps its own references to the buffers; the builder is spent. */
        ArrowRecordBatch finish() {
            root.setRowCount(rows);
            return new VectorUnloader(root).getRecordBatch();
        }

        @Override
        public void close() {
            root.close();
        }

        VarCharVector varchar(int col) {
            return (VarCharVector) root.getVector(col);
        }
    }

    static final class Events extends Builder {
        private final VarCharVector eventId, customerId, meter, dimensions;
        private final DecimalVector quantity, value;
        private final TimeStampMicroTZVector eventTime, ingestedAt;
        private String lastDimsText;
        private byte[] lastDims;

        Events(BufferAllocator allocator, int capacity) {
            super(allocator, EVENTS, capacity);
            eventId = varchar(0);
            customerId = varchar(1);
            meter = varchar(2);
            quantity = (DecimalVector) root.getVector(3);
            eventTime = (TimeStampMicroTZVector) root.getVector(4);
            ingestedAt = (TimeStampMicroTZVector) root.getVector(5);
            value = (DecimalVector) root.getVector(6);
            dimensions = varchar(7);
        }

        @Override
        void add(PartitionOutput part) {
            byte[] c = bytes(part.customerId()), m = bytes(part.meter());
            for (EventRow e : part.events()) {
                int i = rows++;
                ascii(eventId, i, e.eventId());
                customerId.setSafe(i, c);
                meter.setSafe(i, m);
                setDecimal(quantity, i, e.quantity());
                eventTime.setSafe(i, e.eventTime() * 1000);
                ingestedAt.setSafe(i, e.ingestedAt() * 1000);
                setDecimal(value, i, e.value());
                String d = e.dimensions();
                if (d != null) {
                    if (d != lastDimsText) {
                        lastDimsText = d;
                        lastDims = bytes(d);
                    }
                    dimensions.setSafe(i, lastDims);
                }
            }
        }
    }

    static final class Decisions extends Builder {
        private final VarCharVector decisionId, eventId, customerId, meter, outcome, currency, price, discount, entitlement, invoice;
        private final DecimalVector amount;
        private final IntVector priceVersion, discountVersion, entitlementVersion;
        private final TimeStampMicroTZVector decidedAt;
        private final Strings outcomes = new Strings(), currencies = new Strings(), prices = new Strings(), discounts = new Strings(),
                entitlements = new Strings(), invoices = new Strings();

        Decisions(BufferAllocator allocator, int capacity) {
            super(allocator, DECISIONS, capacity);
            decisionId = varchar(0);
            eventId = varchar(1);
            customerId = varchar(2);
            meter = varchar(3);
            outcome = varchar(4);
            amount = (DecimalVector) root.getVector(5);
            currency = varchar(6);
            price = varchar(7);
            priceVersion = (IntVector) root.getVector(8);
            discount = varchar(9);
            discountVersion = (IntVector) root.getVector(10);
            entitlement = varchar(11);
            entitlementVersion = (IntVector) root.getVector(12);
            decidedAt = (TimeStampMicroTZVector) root.getVector(13);
            invoice = varchar(14);
        }

        @Override
        void add(PartitionOutput part) {
            byte[] c = bytes(part.customerId()), m = bytes(part.meter());
            for (DecisionRow d : part.decisions()) {
                int i = rows++;
                ascii(decisionId, i, d.decisionId());
                if (d.eventId() != null) ascii(eventId, i, d.eventId());
                customerId.setSafe(i, c);
                meter.setSafe(i, m);
                set(outcome, i, outcomes.get(d.outcome()));
                setDecimal(amount, i, d.amount());
                set(currency, i, currencies.get(d.currency()));
                set(price, i, prices.get(d.pricePolicyId()));
                setInt(priceVersion, i, d.priceVersion());
                set(discount, i, discounts.get(d.discountPolicyId()));
                setInt(discountVersion, i, d.discountVersion());
                set(entitlement, i, entitlements.get(d.entitlementPolicyId()));
                setInt(entitlementVersion, i, d.entitlementVersion());
                decidedAt.setSafe(i, d.decidedAt() * 1000);
                set(invoice, i, invoices.get(d.invoiceId()));
            }
        }
    }

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[64]);

    /** The generator's own ids are ASCII: copied into a scratch buffer, no allocation per value. */
    @SuppressWarnings("deprecation")
    private static void ascii(VarCharVector v, int i, String id) {
        int n = id.length();
        byte[] b = SCRATCH.get();
        if (b.length < n) SCRATCH.set(b = new byte[n * 2]);
        id.getBytes(0, n, b, 0);
        v.setSafe(i, b, 0, n);
    }

    /** A null is a skipped index: validity stays zero and Arrow fills the offsets of the gap. */
    private static void set(VarCharVector v, int i, byte[] b) {
        if (b != null) v.setSafe(i, b);
    }

    private static void setInt(IntVector v, int i, Integer x) {
        if (x != null) v.setSafe(i, x);
    }

    private static final long[] POW10 = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L};

    /** Exact: a value with more than 9 decimals is a bug here, never rounded away. */
    static void setDecimal(DecimalVector v, int i, BigDecimal d) {
        if (d == null) return; // validity is zero (null) unless set
        int scale = d.scale();
        if (scale >= 0 && scale <= SCALE) {
            try {
                // the unscaled value as a long at scale 9, without a BigInteger on the way
                v.setSafe(i, Math.multiplyExact(d.scaleByPowerOfTen(scale).longValueExact(), POW10[SCALE - scale]));
                return;
            } catch (ArithmeticException tooLarge) {
                // falls through to the general path
            }
        }
        v.setSafe(i, d.setScale(SCALE, RoundingMode.UNNECESSARY));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A low-cardinality column (policy ids, currency, invoice id): the same String instance is encoded once. */
    private static final class Strings {
        private String last;
        private byte[] lastBytes;

        byte[] get(String s) {
            if (s == null) return null;
            if (s != last && !s.equals(last)) {
                last = s;
                lastBytes = bytes(s);
            }
            return lastBytes;
        }
    }
}
