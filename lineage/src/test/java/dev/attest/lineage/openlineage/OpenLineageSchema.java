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

/** The OpenLineage core specs (test resources openlineage/*.json, see SOURCE.md there), with format checks on. */
public final class OpenLineageSchema {
    private static final List<Schema> SCHEMAS = List.of(load("OpenLineage.json"), load("OpenLineage-2-1-0.json"));

    private OpenLineageSchema() {}

    private static Schema load(String name) {
        try (InputStream in = OpenLineageSchema.class.getResourceAsStream("/openlineage/" + name)) {
            if (in == null) throw new IllegalStateException("openlineage/" + name + " is not on the test class path");
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The violations of one event against every spec (empty when it is valid). */
    public static List<Error> violations(String json) {
        List<Error> out = new java.util.ArrayList<>();
        for (Schema s : SCHEMAS) out.addAll(s.validate(json, InputFormat.JSON, ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true))));
        return out;
    }
}
