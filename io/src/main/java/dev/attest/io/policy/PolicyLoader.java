package dev.attest.io.policy;

import static dev.attest.io.duck.Duck.literal;

import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Rounding;
import dev.attest.core.policy.Rule;
import dev.attest.core.policy.Tier;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputException;
import dev.attest.io.input.InputException.Code;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Loads policies (contracts section 2) from a policy folder or file:
 * <ul>
 *   <li>a YAML (.yaml/.yml) or JSON (.json) document per policy: the header {@code policy_id, kind, meter,
 *   customer_id, currency} and {@code versions: [...]};</li>
 *   <li>a flat table (.parquet, .csv, .jsonl/.ndjson, or a .json file that is not one JSON object) with one row per
 *   version, the header columns repeated and {@code rule} as JSON text; {@code rounding} may be a column (JSON text)
 *   or sit inside the rule.</li>
 * </ul>
 * Numbers are read exactly (never through a double); instants need an offset. Any breach is rejected with the
 * file and the policy named ({@link InputException} with code BAD_POLICY).
 */
public final class PolicyLoader {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final List<String> HEADER = List.of("policy_id", "kind", "meter", "customer_id", "currency");
    private static final Set<String> VERSION_FIELDS = Set.of("version", "valid_from", "valid_to", "recorded_at", "rule", "rounding",
            "change_ref", "author");

    private PolicyLoader() {}

    /** One version row with where it came from, before grouping into policies. */
    private record Row(ObjectNode header, ObjectNode version, String where) {}

    public static List<Policy> load(String path) {
        Path p = Path.of(path).toAbsolutePath().normalize();
        if (!Files.exists(p)) throw new InputException(Code.NO_FILES, "policies: no such file or directory: " + p);
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(p)) {
            try (Stream<Path> walk = Files.walk(p)) {
                walk.filter(Files::isRegularFile).filter(f -> !hidden(p, f)).filter(f -> kindOf(f) != null).sorted().forEach(files::add);
            } catch (IOException | UncheckedIOException e) {
                throw new InputException(Code.UNREADABLE, "policies: cannot list " + p + ": " + e.getMessage(), e);
            }
            if (files.isEmpty())
                throw new InputException(Code.NO_FILES, "policies: no .yaml, .yml, .json, .jsonl, .ndjson, .csv or .parquet files under " + p);
        } else {
            if (kindOf(p) == null)
                throw new InputException(Code.NO_FILES, "policies: " + p + " is not a policy file (.yaml, .yml, .json, .jsonl, .ndjson, .csv, .parquet)");
            files.add(p);
        }

        Map<String, Policy> documents = new TreeMap<>();
        Map<String, String> docSource = new LinkedHashMap<>();
        List<Row> flat = new ArrayList<>();
        for (Path f : files) {
            switch (kindOf(f)) {
                case "yaml" -> addDocument(documents, docSource, f, parseDocument(YAML, f));
                case "json" -> {
                    JsonNode doc = tryJsonDocument(f);
                    if (doc != null && doc.isObject() && doc.has("versions")) addDocument(documents, docSource, f, doc);
                    else flat.addAll(jsonLines(f));
                }
                case "jsonl" -> flat.addAll(jsonLines(f));
                default -> flat.addAll(table(f));
            }
        }
        Map<String, List<Row>> byPolicy = new TreeMap<>();
        for (Row r : flat) {
            String id = text(r.header(), "policy_id");
            if (id == null) throw bad(r.where(), null, "policy_id is required");
            byPolicy.computeIfAbsent(id, k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Row>> e : byPolicy.entrySet()) {
            String id = e.getKey();
            List<Row> rows = e.getValue();
            if (documents.containsKey(id))
                throw bad(rows.get(0).where(), id, "policy is also defined in " + docSource.get(id));
            ObjectNode header = rows.get(0).header();
            for (Row r : rows)
                for (String h : HEADER)
                    if (!same(text(header, h), text(r.header(), h)))
                        throw bad(r.where(), id, h + " '" + text(r.header(), h) + "' differs from '" + text(header, h) + "' in "
                                + rows.get(0).where() + " (the header must be the same on every version row)");
            String sources = String.join(", ", new LinkedHashSet<>(rows.stream().map(r -> r.where().replaceAll(" row \\d+$", "")).toList()));
            List<ObjectNode> versions = rows.stream().map(Row::version).toList();
            List<String> wheres = rows.stream().map(Row::where).toList();
            documents.put(id, build(header, versions, wheres, sources));
        }
        List<Policy> out = new ArrayList<>(documents.values());
        out.sort(Comparator.comparing(Policy::policyId));
        return List.copyOf(out);
    }

    private static boolean same(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    private static boolean hidden(Path root, Path file) {
        for (Path part : root.relativize(file)) {
            String n = part.toString();
            if (n.startsWith(".") || n.startsWith("_")) return true;
        }
        return false;
    }

    private static String kindOf(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".yaml") || n.endsWith(".yml")) return "yaml";
        if (n.endsWith(".json")) return "json";
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) return "jsonl";
        if (n.endsWith(".csv") || n.endsWith(".parquet")) return "table";
        return null;
    }

    // ------------------------------------------------------------------ reading

    private static JsonNode parseDocument(ObjectMapper mapper, Path f) {
        try {
            return mapper.readTree(Files.readString(f));
        } catch (JacksonException e) {
            throw bad(f.toString(), null, "not a valid " + (mapper == YAML ? "YAML" : "JSON") + " document: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InputException(Code.UNREADABLE, "policies: cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode tryJsonDocument(Path f) {
        try {
            return JSON.readTree(Files.readString(f));
        } catch (JacksonException e) {
            return null; // maybe JSON Lines
        } catch (IOException e) {
            throw new InputException(Code.UNREADABLE, "policies: cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private static void addDocument(Map<String, Policy> documents, Map<String, String> docSource, Path f, JsonNode doc) {
        String where = f.toString();
        if (doc == null || !doc.isObject()) throw bad(where, null, "a policy document must be an object with a header and versions");
        String id = text(doc, "policy_id");
        if (id == null) throw bad(where, null, "policy_id is required");
        if (documents.containsKey(id)) throw bad(where, id, "policy is also defined in " + docSource.get(id));
        ObjectNode header = JsonNodeFactory.instance.objectNode();
        for (String h : HEADER) if (doc.has(h)) header.set(h, doc.get(h));
        for (String k : doc.propertyNames())
            if (!HEADER.contains(k) && !k.equals("versions") && !k.equals("description") && !k.equals("name"))
                throw bad(where, id, "unknown field '" + k + "'");
        JsonNode versions = doc.get("versions");
        if (versions == null || !versions.isArray() || versions.isEmpty()) throw bad(where, id, "versions must be a non-empty list");
        List<ObjectNode> vs = new ArrayList<>();
        List<String> wheres = new ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            JsonNode v = versions.get(i);
            if (!v.isObject()) throw bad(where, id, "versions[" + i + "] must be an object");
            vs.add((ObjectNode) v);
            wheres.add(where);
        }
        documents.put(id, build(header, vs, wheres, where));
        docSource.put(id, where);
    }

    private static List<Row> jsonLines(Path f) {
        List<Row> rows = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(f);
        } catch (IOException e) {
            throw new InputException(Code.UNREADABLE, "policies: cannot read " + f + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) continue;
            String where = f + " row " + (i + 1);
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (JacksonException e) {
                throw bad(where, null, "not a JSON object: " + e.getOriginalMessage());
            }
            if (!n.isObject()) throw bad(where, null, "not a JSON object");
            rows.add(row((ObjectNode) n, where));
        }
        return rows;
    }

    /** A flat-table row (every value as JSON: text, or the parsed rule/rounding object) split into header and version. */
    private static Row row(ObjectNode n, String where) {
        ObjectNode header = JsonNodeFactory.instance.objectNode();
        ObjectNode version = JsonNodeFactory.instance.objectNode();
        String id = text(n, "policy_id");
        for (String k : n.propertyNames()) {
            JsonNode v = n.get(k);
            if (HEADER.contains(k)) header.set(k, v);
            else if (k.equals("rule") || k.equals("rounding")) version.set(k, v.isString() ? parseJsonText(where, id, k, v.stringValue()) : v);
            else if (VERSION_FIELDS.contains(k)) version.set(k, v);
            // other columns are ignored, like in every input
        }
        return new Row(header, version, where);
    }

    private static JsonNode parseJsonText(String where, String id, String field, String text) {
        if (text == null || text.isBlank()) return JsonNodeFactory.instance.nullNode();
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            throw bad(where, id, field + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** A .csv or .parquet policy table read through DuckDB, every value as text (instants as UTC ISO text). */
    private static List<Row> table(Path f) {
        boolean csv = f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
        String read = csv ? "read_csv(" + literal(f.toString()) + ", all_varchar=true, header=true)"
                : "read_parquet(" + literal(f.toString()) + ", file_row_number=true)";
        List<Row> rows = new ArrayList<>();
        try (Duck duck = Duck.inMemory()) {
            List<Map<String, Object>> schema;
            try {
                schema = duck.queryRows("DESCRIBE SELECT * FROM " + read);
            } catch (Duck.DuckException e) {
                throw new InputException(Code.UNREADABLE, "policies: cannot read " + f + ": " + e.getMessage(), e);
            }
            List<String> select = new ArrayList<>();
            for (Map<String, Object> c : schema) {
                String name = (String) c.get("column_name");
                String type = ((String) c.get("column_type")).toUpperCase(Locale.ROOT);
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.equals("file_row_number") || lower.equals("ordinality")) continue;
                if (!HEADER.contains(lower) && !VERSION_FIELDS.contains(lower)) continue;
                String col = "__t." + Duck.ident(name);
                String expr;
                if (type.contains("WITH TIME ZONE")) expr = "strftime(" + col + " AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ')";
                else if (type.startsWith("STRUCT") || type.startsWith("MAP") || type.endsWith("[]")) expr = "CAST(to_json(" + col + ") AS VARCHAR)";
                else expr = "CAST(" + col + " AS VARCHAR)";
                select.add(expr + " AS " + Duck.ident(lower));
            }
            String rowNo = csv ? "__t.ordinality" : "__t.file_row_number + 1";
            String from = csv ? "(SELECT * FROM " + read + " WITH ORDINALITY) AS __t" : read + " AS __t";
            List<Map<String, Object>> data;
            try {
                data = duck.queryRows("SELECT " + rowNo + " AS __row_no" + (select.isEmpty() ? "" : ", " + String.join(", ", select))
                        + " FROM " + from + " ORDER BY 1");
            } catch (Duck.DuckException e) {
                throw new InputException(Code.UNREADABLE, "policies: cannot read " + f + ": " + e.getMessage(), e);
            }
            for (Map<String, Object> d : data) {
                ObjectNode n = JsonNodeFactory.instance.objectNode();
                for (Map.Entry<String, Object> e : d.entrySet()) {
                    if (e.getKey().equals("__row_no")) continue;
                    Object v = e.getValue();
                    if (v == null || v.toString().isBlank()) n.putNull(e.getKey());
                    else n.put(e.getKey(), v.toString());
                }
                rows.add(row(n, f + " row " + d.get("__row_no")));
            }
        }
        return rows;
    }

    // ------------------------------------------------------------------ building core records

    private static Policy build(ObjectNode header, List<ObjectNode> versions, List<String> wheres, String source) {
        String where0 = wheres.get(0);
        String id = text(header, "policy_id");
        PolicyKind kind;
        try {
            kind = PolicyKind.parse(text(header, "kind"));
        } catch (IllegalArgumentException e) {
            throw bad(where0, id, e.getMessage());
        }
        String currency = text(header, "currency");
        if (currency != null) {
            currency = currency.trim().toUpperCase(Locale.ROOT);
            if (!currency.matches("[A-Z]{3}")) throw bad(where0, id, "currency '" + currency + "' is not an ISO 4217 code");
        }
        List<PolicyVersion> built = new ArrayList<>();
        Map<Integer, String> seen = new LinkedHashMap<>();
        for (int i = 0; i < versions.size(); i++) {
            ObjectNode v = versions.get(i);
            String where = wheres.get(i);
            PolicyVersion pv = version(id, kind, v, where);
            String prev = seen.putIfAbsent(pv.version(), where);
            if (prev != null) throw bad(where, id, "duplicate version " + pv.version() + (prev.equals(where) ? "" : " (also in " + prev + ")"));
            built.add(pv);
        }
        try {
            return new Policy(id, kind, text(header, "meter"), text(header, "customer_id"), currency, built, source);
        } catch (IllegalArgumentException e) {
            throw bad(where0, id, e.getMessage());
        }
    }

    private static PolicyVersion version(String id, PolicyKind kind, ObjectNode v, String where) {
        String ctx = "version " + (v.has("version") ? v.get("version").asString() : "?") + ": ";
        try {
            for (String k : v.propertyNames())
                if (!VERSION_FIELDS.contains(k)) throw new IllegalArgumentException("unknown field '" + k + "'");
            Integer number = integer(v.get("version"), "version");
            if (number == null) throw new IllegalArgumentException("version is required");
            JsonNode ruleNode = v.get("rule");
            if (ruleNode == null || ruleNode.isNull()) throw new IllegalArgumentException("rule is required");
            if (!ruleNode.isObject()) throw new IllegalArgumentException("rule must be an object");
            JsonNode roundingNode = v.get("rounding");
            JsonNode inRule = ruleNode.get("rounding");
            if (roundingNode != null && !roundingNode.isNull() && inRule != null && !inRule.isNull())
                throw new IllegalArgumentException("rounding is given both in the version and in its rule");
            if (roundingNode == null || roundingNode.isNull()) roundingNode = inRule;
            Rule rule = rule(kind, (ObjectNode) ruleNode);
            warnNegativePrices(where, id, number, "rule", ruleNode);
            Rounding rounding = rounding(roundingNode);
            if (rounding != null && kind != PolicyKind.PRICE)
                throw new IllegalArgumentException("rounding applies to price versions only");
            return new PolicyVersion(id, number, instant(v.get("valid_from"), "valid_from"), instant(v.get("valid_to"), "valid_to"),
                    instant(v.get("recorded_at"), "recorded_at"), rule, rounding, text(v, "change_ref"), text(v, "author"));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw bad(where, id, ctx + e.getMessage());
        }
    }

    /**
     * A negative price or fee is accepted (a rule may pay the customer back) but is seldom meant: it is said once at load,
     * on standard error, naming the file, policy, version and field (issue 13).
     */
    private static void warnNegativePrices(String where, String id, int version, String path, JsonNode n) {
        if (n == null) return;
        if (n.isObject()) {
            for (String k : n.propertyNames()) {
                JsonNode c = n.get(k);
                String field = k.toLowerCase(Locale.ROOT);
                if ((field.contains("price") || field.contains("fee")) && (c.isNumber() || c.isString())) {
                    try {
                        BigDecimal d = dec(n, k);
                        if (d != null && d.signum() < 0)
                            System.err.println("attest: warning: " + where + ": policy " + id + " version " + version + ": " + path + "." + k
                                    + " is negative (" + d.toPlainString() + "); accepted as given");
                    } catch (IllegalArgumentException e) {
                        // the rule's own parsing reports it
                    }
                } else warnNegativePrices(where, id, version, path + "." + k, c);
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) warnNegativePrices(where, id, version, path + "[" + i + "]", n.get(i));
        }
    }

    private static Rounding rounding(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (!n.isObject()) throw new IllegalArgumentException("rounding must be an object {scale, mode}");
        for (String k : n.propertyNames())
            if (!k.equals("scale") && !k.equals("mode")) throw new IllegalArgumentException("unknown rounding field '" + k + "'");
        Integer scale = integer(n.get("scale"), "rounding.scale");
        if (scale == null) throw new IllegalArgumentException("rounding.scale is required");
        return Rounding.of(scale, text(n, "mode"));
    }

    private static final Map<String, Set<String>> MODEL_FIELDS = Map.of(
            "unit", Set.of("unit_price"),
            "graduated", Set.of("tiers"),
            "volume", Set.of("tiers"),
            "package", Set.of("package_size", "package_price", "free_units"),
            "percentage", Set.of("percent", "fixed_fee", "min_per_event", "max_per_event"),
            "matrix", Set.of("dimensions", "prices", "default_unit_price"),
            "discount", Set.of("percent_off"),
            "entitlement", Set.of("limit"),
            "threshold", Set.of("amount"));

    static Rule rule(PolicyKind kind, ObjectNode r) {
        String model = text(r, "model");
        if (model == null) {
            model = switch (kind) {
                case DISCOUNT -> "discount";
                case ENTITLEMENT -> "entitlement";
                case THRESHOLD -> "threshold";
                case PRICE -> throw new IllegalArgumentException("rule.model is required for a price policy "
                        + "(unit, graduated, volume, package, percentage, matrix)");
            };
        }
        model = model.trim().toLowerCase(Locale.ROOT);
        Set<String> fields = MODEL_FIELDS.get(model);
        if (fields == null) throw new IllegalArgumentException("unknown model '" + model + "'");
        for (String k : r.propertyNames())
            if (!k.equals("model") && !k.equals("rounding") && !fields.contains(k))
                throw new IllegalArgumentException("unknown field '" + k + "' in a " + model + " rule");
        Rule rule = switch (model) {
            case "unit" -> new Rule.Unit(dec(r, "unit_price"));
            case "graduated" -> new Rule.Graduated(tiers(r));
            case "volume" -> new Rule.Volume(tiers(r));
            case "package" -> new Rule.Package(dec(r, "package_size"), dec(r, "package_price"), dec(r, "free_units"));
            case "percentage" -> new Rule.Percentage(dec(r, "percent"), dec(r, "fixed_fee"), dec(r, "min_per_event"), dec(r, "max_per_event"));
            case "matrix" -> matrix(r);
            case "discount" -> new Rule.Discount(dec(r, "percent_off"));
            case "entitlement" -> new Rule.Entitlement(dec(r, "limit"));
            case "threshold" -> new Rule.Threshold(dec(r, "amount"));
            default -> throw new IllegalArgumentException("unknown model '" + model + "'");
        };
        if (rule.kind() != kind)
            throw new IllegalArgumentException("a " + model + " rule does not fit a " + kind.wire() + " policy"
                    + (kind == PolicyKind.PRICE ? " (unit, graduated, volume, package, percentage, matrix)" : ""));
        return rule;
    }

    private static List<Tier> tiers(JsonNode r) {
        JsonNode ts = r.get("tiers");
        if (ts == null || !ts.isArray() || ts.isEmpty()) throw new IllegalArgumentException("tiers must be a non-empty list");
        List<Tier> out = new ArrayList<>();
        for (int i = 0; i < ts.size(); i++) {
            JsonNode t = ts.get(i);
            if (!t.isObject()) throw new IllegalArgumentException("tier " + (i + 1) + " must be an object");
            for (String k : t.propertyNames())
                if (!k.equals("up_to") && !k.equals("unit_price") && !k.equals("flat_fee"))
                    throw new IllegalArgumentException("unknown field '" + k + "' in tier " + (i + 1));
            try {
                out.add(new Tier(dec(t, "up_to"), dec(t, "unit_price"), dec(t, "flat_fee")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tier " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static Rule.Matrix matrix(JsonNode r) {
        List<String> dims = new ArrayList<>();
        JsonNode d = r.get("dimensions");
        if (d != null && !d.isNull()) {
            if (!d.isArray()) throw new IllegalArgumentException("dimensions must be a list of names");
            for (JsonNode x : d) {
                if (!x.isString()) throw new IllegalArgumentException("dimensions must be a list of names");
                dims.add(x.stringValue());
            }
        }
        JsonNode ps = r.get("prices");
        if (ps == null || !ps.isArray()) throw new IllegalArgumentException("matrix needs prices: [{match, unit_price}]");
        List<Rule.MatrixEntry> entries = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            JsonNode p = ps.get(i);
            if (!p.isObject()) throw new IllegalArgumentException("prices[" + i + "] must be an object");
            for (String k : p.propertyNames())
                if (!k.equals("match") && !k.equals("unit_price")) throw new IllegalArgumentException("unknown field '" + k + "' in prices[" + i + "]");
            JsonNode m = p.get("match");
            if (m == null || !m.isObject()) throw new IllegalArgumentException("prices[" + i + "].match must be an object");
            Map<String, String> match = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : m.properties()) {
                JsonNode v = e.getValue();
                if (v == null || v.isNull() || v.isContainer())
                    throw new IllegalArgumentException("prices[" + i + "].match." + e.getKey() + " must be a string");
                match.put(e.getKey(), v.isNumber() ? v.decimalValue().toPlainString() : v.asString());
            }
            if (!dims.isEmpty() && !dims.containsAll(match.keySet()))
                throw new IllegalArgumentException("prices[" + i + "].match uses a key not in dimensions " + dims);
            entries.add(new Rule.MatrixEntry(match, dec(p, "unit_price")));
        }
        return new Rule.Matrix(dims, entries, dec(r, "default_unit_price"));
    }

    // ------------------------------------------------------------------ values

    /** An exact decimal from a JSON number or numeric text; null when absent or null. */
    static BigDecimal dec(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (n.isNumber()) {
            if (n.isFloatingPointNumber() && !n.isBigDecimal())
                throw new IllegalArgumentException(field + " was read as a binary floating-point number");
            return n.decimalValue();
        }
        if (n.isString()) {
            String t = n.stringValue().trim();
            if (t.isEmpty()) return null;
            try {
                return new BigDecimal(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(field + " is not a decimal number: '" + n.stringValue() + "'");
            }
        }
        throw new IllegalArgumentException(field + " must be a number, got " + n);
    }

    private static Integer integer(JsonNode n, String field) {
        if (n == null || n.isNull()) return null;
        BigDecimal d;
        if (n.isNumber()) d = n.decimalValue();
        else if (n.isString()) {
            String t = n.stringValue().trim();
            if (t.isEmpty()) return null;
            try {
                d = new BigDecimal(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(field + " is not an integer: '" + n.stringValue() + "'");
            }
        } else throw new IllegalArgumentException(field + " must be an integer, got " + n);
        try {
            BigInteger i = d.stripTrailingZeros().toBigIntegerExact();
            return i.intValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(field + " is not an integer: '" + n.asString() + "'");
        }
    }

    private static Instant instant(JsonNode n, String field) {
        if (n == null || n.isNull()) return null;
        if (!n.isString()) throw new IllegalArgumentException(field + " must be an ISO-8601 instant with offset, got " + n);
        String t = n.stringValue().trim();
        if (t.isEmpty()) return null;
        if (t.length() > 10 && t.charAt(10) == ' ') t = t.substring(0, 10) + "T" + t.substring(11);
        try {
            return OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " '" + n.stringValue() + "' is not an ISO-8601 instant with an offset "
                    + "(e.g. 2026-01-01T00:00:00Z)");
        }
    }

    private static String text(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        String s = n.isNumber() ? n.decimalValue().toPlainString() : n.asString();
        if (s == null || s.isBlank()) return null;
        return s.trim();
    }

    private static InputException bad(String where, String policyId, String message) {
        return new InputException(Code.BAD_POLICY, "policies: " + where + (policyId == null ? "" : ", policy " + policyId) + ": " + message);
    }
}
