package dev.attest.io.arrow;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBResultSet;

/** Runs a query and hands its result to Java batch by batch, as Arrow. */
public final class ArrowQuery {
    public interface BatchConsumer {
        void accept(VectorSchemaRoot batch) throws SQLException;
    }

    private ArrowQuery() {}

    public static void forEachBatch(DuckDBConnection conn, BufferAllocator allocator, String sql, int batchRows, BatchConsumer consumer)
            throws SQLException {
        try (Statement st = conn.createStatement();
             DuckDBResultSet rs = (DuckDBResultSet) st.executeQuery(sql);
             ArrowReader reader = (ArrowReader) rs.arrowExportStream(allocator, batchRows)) {
            while (reader.loadNextBatch()) consumer.accept(reader.getVectorSchemaRoot());
        } catch (IOException e) {
            throw new SQLException("reading an Arrow batch from DuckDB failed: " + e.getMessage(), e);
        }
    }
}
