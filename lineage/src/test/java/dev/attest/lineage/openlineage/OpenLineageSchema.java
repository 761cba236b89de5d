package dev.attest.lineage.openlineage;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The OpenLineage core spec (test resource openlineage/OpenLineage.json, see SOURCE.md there), with format checks on. */
public final class OpenLineageSchema {
    private static final Schema SCHEMA = load();

    private OpenLineageSchema() {}

    private static Schema load() {
        try (InputStream in = OpenLineageSchema.class.getResourceAsStream("/openlineage/OpenLineage.json")) {
            if (in == null) throw new IllegalStateException("openlineage/OpenLineage.json is not on the test class path");
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema violations of one event (empty when it is valid). */
    public static List<Error> violations(String json) {
        return SCHEMA.validate(json, InputFormat.JSON, ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)));
    }
}
