package dev.attest.io.arrow;

import java.sql.SQLException;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/** Where a {@link DuckTableSink} hands its full batches: a Parquet file being written, or one range of it. */
public interface BatchTarget extends AutoCloseable {
    /** Hands one batch over: the target owns it from here on. */
    void push(ArrowRecordBatch batch) throws SQLException;

    /** No more batches: the rows pushed are complete. */
    void finish() throws SQLException;

    /** Releases everything; without {@link #finish()} first, the rows are abandoned. */
    @Override
    void close() throws SQLException;
}
