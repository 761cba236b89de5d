package dev.attest.scheduler.config;

import dev.attest.core.findings.Severity;
import dev.attest.io.customers.CustomersLoader;
import dev.attest.io.input.InputException;
import dev.attest.io.input.InputSource;
import dev.attest.scheduler.window.WindowSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a schedule file (YAML). Every error names the file and the key ({@code schedules[1].window.unit}) and
 * says what is wrong; unknown keys are errors too, so a typo never silently drops a setting. Relative paths are
 * resolved against the file's folder. An optional {@code inputs.customers} (contracts section 10) is read at load
 * time, so that a bad or contradictory customers row stops start-up (exit 2) like a bad schedule file, with the
 * file, row and customer named.
 */
public final class ConfigLoader {
    private static final Set<String> TOP = Set.of("schedules", "lease", "sweep", "cluster_checkin", "metadata");
    private static final Set<String> SCHEDULE = Set.of("name", "mode", "cron", "zone", "window", "start", "end", "late_after", "hold",
            "inputs", "audit", "out", "fail_on", "max_attempts", "retry_delay", "alerts", "checks", "keep");
    private static final Set<String> KEEP = Set.of("passes");
    private static final Set<String> WINDOW = Set.of("unit", "length", "allowance");
    private static final Set<String> INPUTS = Set.of("events", "decisions", "events_sql", "decisions_sql", "policies", "assume_zone", "customers");
    private static final Set<String> AUDIT = Set.of("tolerance", "late_decision_after");
    private static final Set<String> ALERTS = Set.of("log", "webhooks");

    private ConfigLoader() {}

    public static SchedulerConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the schedule file: " + e.getMessage());
        }
        JsonNode root;
        try {
            root = YAMLMapper.builder().build().readTree(text);
        } catch (RuntimeException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage());
        }
        return new ConfigLoader.Reader(file).config(root);
    }

    private record Reader(Path file) {
        SchedulerConfig config(JsonNode root) {
            if (root == null || !root.isObject()) throw error("", "the file must be a mapping with a 'schedules' list");
            keys(root, "", TOP);
            JsonNode list = root.path("schedules");
            if (!list.isArray()) throw error("schedules", "must be a list of schedules");
            List<AuditSchedule> schedules = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) schedules.add(schedule(list.get(i), "schedules[" + i + "]"));
            try {
                return new SchedulerConfig(schedules, duration(root, "lease", ""), duration(root, "sweep", ""),
                        duration(root, "cluster_checkin", ""), text(root, "metadata", "", false));
            } catch (IllegalArgumentException e) {
                throw error("", e.getMessage());
            }
        }

        AuditSchedule schedule(JsonNode n, String at) {
            if (!n.isObject()) throw error(at, "must be a mapping");
            keys(n, at, SCHEDULE);
            String name = text(n, "name", at, true);
            String zoneText = text(n, "zone", at, false);
            ZoneId zone;
            try {
                zone = zoneText == null ? ZoneId.of("UTC") : ZoneId.of(zoneText);
            } catch (DateTimeException e) {
                throw error(at + ".zone", "unknown time zone '" + zoneText + "'");
            }
            String modeText = text(n, "mode", at, false);
            AuditSchedule.Mode mode = AuditSchedule.Mode.WINDOWS;
            if (modeText != null) {
                if (modeText.equals("near-real-time")) mode = AuditSchedule.Mode.NEAR_REAL_TIME;
                else if (!modeText.equals("windows")) throw error(at + ".mode", "must be 'windows' or 'near-real-time', got '" + modeText + "'");
            }
            JsonNode w = n.path("window");
            if (!w.isObject()) throw error(at + ".window", "is required: {unit: day} (hour, day, week, month) or {length: PT5M}");
            keys(w, at + ".window", WINDOW);
            String unit = text(w, "unit", at + ".window", false);
            Duration length = duration(w, "length", at + ".window");
            if ((unit == null) == (length == null)) throw error(at + ".window", "give exactly one of 'unit' (hour, day, week, month) or 'length'");
            WindowSpec spec;
            try {
                spec = unit != null ? new WindowSpec.Calendar(WindowSpec.Unit.valueOf(unit.toUpperCase(Locale.ROOT))) : new WindowSpec.Fixed(length);
            } catch (IllegalArgumentException e) {
                throw error(at + ".window", unit != null ? "unit must be hour, day, week or month, got '" + unit + "'" : e.getMessage());
            }
            JsonNode in = n.path("inputs");
            if (!in.isObject()) throw error(at + ".inputs", "is required: events, decisions, policies");
            keys(in, at + ".inputs", INPUTS);
            JsonNode audit = n.path("audit");
            if (!audit.isMissingNode()) keys(audit, at + ".audit", AUDIT);
            JsonNode alerts = n.path("alerts");
            if (!alerts.isMissingNode()) keys(alerts, at + ".alerts", ALERTS);
            List<URI> hooks = new ArrayList<>();
            JsonNode hookList = alerts.path("webhooks");
            if (!hookList.isMissingNode()) {
                if (!hookList.isArray()) throw error(at + ".alerts.webhooks", "must be a list of http(s) URLs");
                for (int i = 0; i < hookList.size(); i++) {
                    String u = hookList.get(i).asString();
                    try {
                        URI uri = URI.create(u);
                        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) throw new IllegalArgumentException("not http(s)");
                        hooks.add(uri);
                    } catch (IllegalArgumentException e) {
                        throw error(at + ".alerts.webhooks[" + i + "]", "'" + u + "' is not an http(s) URL");
                    }
                }
            }
            BigDecimal tolerance;
            try {
                String t = text(audit, "tolerance", at + ".audit", false);
                tolerance = t == null ? null : new BigDecimal(t);
            } catch (NumberFormatException e) {
                throw error(at + ".audit.tolerance", "must be a decimal number");
            }
            Severity failOn;
            try {
                String f = text(n, "fail_on", at, false);
                failOn = f == null ? null : Severity.parse(f);
            } catch (IllegalArgumentException e) {
                throw error(at + ".fail_on", e.getMessage());
            }
            int maxAttempts = 3;
            if (n.has("max_attempts")) {
                if (!n.get("max_attempts").isIntegralNumber()) throw error(at + ".max_attempts", "must be a whole number");
                maxAttempts = n.get("max_attempts").asInt();
            }
            boolean log = !alerts.has("log") || alerts.get("log").asBoolean();
            String customers = customers(in, at);
            // The checks file (issue 14), read now so that a bad one fails start-up naming it; the schedule's own
            // audit.tolerance and fail_on win over the file's, as the command line's do.
            String checks = text(n, "checks", at, false);
            if (checks != null) {
                checks = path(checks);
                try {
                    dev.attest.core.checks.Checks c = dev.attest.io.checks.ChecksLoader.load(checks);
                    if (tolerance == null) tolerance = c.tolerance();
                    if (failOn == null) failOn = c.failOn();
                } catch (IllegalArgumentException e) {
                    throw error(at + ".checks", e.getMessage());
                }
            }
            AuditSchedule.Keep keep = null;
            JsonNode k = n.path("keep");
            if (!k.isMissingNode() && !k.isNull()) {
                if (!k.isObject()) throw error(at + ".keep", "must be a mapping: {passes: 5}");
                keys(k, at + ".keep", KEEP);
                JsonNode p = k.path("passes");
                if (!p.isIntegralNumber() || p.asInt() < 1) throw error(at + ".keep.passes", "is required: a whole number >= 1 (the passes kept per span)");
                keep = new AuditSchedule.Keep(p.asInt());
            }
            try {
                return new AuditSchedule(name, mode, text(n, "cron", at, true), zone, spec, duration(w, "allowance", at + ".window"),
                        instant(n, "start", at, zone), instant(n, "end", at, zone), duration(n, "late_after", at), duration(n, "hold", at),
                        source(in, "events", at), source(in, "decisions", at), path(text(in, "policies", at + ".inputs", true)),
                        text(in, "assume_zone", at + ".inputs", false), tolerance, duration(audit, "late_decision_after", at + ".audit"),
                        Path.of(path(text(n, "out", at, true))), failOn, maxAttempts, duration(n, "retry_delay", at), log, hooks, customers, checks, keep);
            } catch (IllegalArgumentException e) {
                throw error(at + " (" + name + ")", e.getMessage());
            }
        }

        InputSource source(JsonNode in, String key, String at) {
            String p = text(in, key, at + ".inputs", false);
            String sql = text(in, key + "_sql", at + ".inputs", false);
            if ((p == null) == (sql == null)) throw error(at + ".inputs", "give exactly one of '" + key + "' (a path) or '" + key + "_sql'");
            return p != null ? InputSource.files(path(p)) : InputSource.sql(sql);
        }

        /** The customers input's absolute path, checked now (every row) so that a bad row fails start-up; null: none. */
        String customers(JsonNode in, String at) {
            String p = text(in, "customers", at + ".inputs", false);
            if (p == null || p.isBlank()) return null;
            String resolved = path(p);
            try {
                CustomersLoader.load(resolved);
            } catch (InputException e) {
                throw error(at + ".inputs.customers", e.getMessage());
            }
            return resolved;
        }

        String path(String p) {
            Path base = file.toAbsolutePath().getParent();
            return base.resolve(p).normalize().toString();
        }

        void keys(JsonNode n, String at, Set<String> allowed) {
            for (Map.Entry<String, JsonNode> e : n.properties())
                if (!allowed.contains(e.getKey()))
                    throw error(at.isEmpty() ? e.getKey() : at + "." + e.getKey(), "unknown key (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
        }

        String text(JsonNode n, String key, String at, boolean required) {
            JsonNode v = n.path(key);
            if (v.isMissingNode() || v.isNull()) {
                if (required) throw error(at.isEmpty() ? key : at + "." + key, "is required");
                return null;
            }
            if (!v.isValueNode()) throw error(at.isEmpty() ? key : at + "." + key, "must be a single value");
            return v.asString();
        }

        Duration duration(JsonNode n, String key, String at) {
            String t = text(n, key, at, false);
            if (t == null) return null;
            try {
                return parseDuration(t);
            } catch (RuntimeException e) {
                throw error(at.isEmpty() ? key : at + "." + key, "'" + t + "' is not a duration (PT1H, 90s, 15m, 2h, 1d)");
            }
        }

        Instant instant(JsonNode n, String key, String at, ZoneId zone) {
            String t = text(n, key, at, false);
            if (t == null) return null;
            try {
                if (t.length() == 10) return LocalDate.parse(t).atStartOfDay(zone).toInstant();
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeException e) {
                throw error(at + "." + key, "'" + t + "' is not a date (2026-01-31, in the schedule's zone) or an instant with an offset");
            }
        }

        ConfigException error(String key, String reason) {
            return new ConfigException(file + (key.isEmpty() ? "" : ": " + key) + ": " + reason);
        }
    }

    /** PT1H, or a whole number with s, m, h or d. */
    public static Duration parseDuration(String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("p")) return Duration.parse(v.toUpperCase(Locale.ROOT));
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("unit");
        };
    }
}
