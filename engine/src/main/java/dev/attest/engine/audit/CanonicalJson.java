package dev.attest.engine.audit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Parses the staged canonical dimensions text (a flat JSON object of strings) into a map. */
public final class CanonicalJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CanonicalJson() {}

    public static Map<String, String> parseFlatObject(String text) {
        JsonNode node = MAPPER.readTree(text);
        if (!node.isObject()) throw new IllegalArgumentException("dimensions is not a JSON object: " + text);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            JsonNode v = e.getValue();
            out.put(e.getKey(), v.isNull() ? null : v.isValueNode() ? v.asString() : v.toString());
        }
        return Collections.unmodifiableMap(out);
    }
}
