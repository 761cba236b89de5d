package dev.attest.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.findings.Severity;
import dev.attest.core.rating.BillingCycle;
import dev.attest.scheduler.window.WindowSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path tmp;

    static final String EXAMPLE = """
            lease: 20s
            schedules:
              - name: nightly
                cron: "0 30 2 * * ?"
                zone: Europe/Berlin
                window: { unit: day, allowance: 2h }
                start: 2026-01-01
                inputs: { events: data/events, decisions: data/decisions, policies: data/policies }
                audit: { tolerance: 0.01, late_decision_after: 1h }
                out: runs/nightly
                fail_on: critical
                max_attempts: 2
                alerts: { webhooks: ["http://127.0.0.1:9/hook"] }
              - name: live
                mode: near-real-time
                cron: "0 */5 * * * ?"
                window: { length: 5m }
                hold: 30m
                start: 2026-01-01T00:00:00Z
                inputs: { events_sql: "SELECT * FROM read_parquet('e/*.parquet')", decisions: d, policies: p }
                out: runs/live
            """;

    @Test
    void readsTheExampleResolvingPathsAgainstTheFile() throws Exception {
        Path f = tmp.resolve("attest.yaml");
        Files.writeString(f, EXAMPLE);
        SchedulerConfig c = ConfigLoader.load(f);
        assertThat(c.lease()).isEqualTo(Duration.ofSeconds(20));
        AuditSchedule n = c.schedule("nightly");
        assertThat(n.window()).isEqualTo(new WindowSpec.Calendar(WindowSpec.Unit.DAY));
        assertThat(n.allowance()).isEqualTo(Duration.ofHours(2));
        assertThat(n.start()).isEqualTo(Instant.parse("2025-12-31T23:00:00Z"));
        assertThat(n.policies()).isEqualTo(tmp.resolve("data/policies").toString());
        assertThat(n.out()).isEqualTo(tmp.resolve("runs/nightly"));
        assertThat(n.failOn()).isEqualTo(Severity.CRITICAL);
        assertThat(n.maxAttempts()).isEqualTo(2);
        assertThat(n.webhooks()).hasSize(1);
        AuditSchedule live = c.schedule("live");
        assertThat(live.mode()).isEqualTo(AuditSchedule.Mode.NEAR_REAL_TIME);
        assertThat(live.hold()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void errorsNameTheFileTheKeyAndTheReason() throws Exception {
        Path f = tmp.resolve("bad.yaml");
        Files.writeString(f, EXAMPLE.replace("unit: day", "unit: fortnight"));
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("bad.yaml: schedules[0].window: unit must be hour, day, week or month, got 'fortnight'");
        Files.writeString(f, EXAMPLE.replace("fail_on: critical", "fail_onn: critical"));
        assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessageContaining("schedules[0].fail_onn: unknown key");
        Files.writeString(f, EXAMPLE.replace("\"0 30 2 * * ?\"", "\"every night\""));
        assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessageContaining("schedules[0] (nightly): bad cron expression 'every night'");
        Files.writeString(f, EXAMPLE.replace("window: { length: 5m }", "window: { unit: hour }"));
        assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessageContaining("near-real-time schedule needs a fixed window length");
    }

    @Test
    void aChecksFileIsResolvedAgainstTheFileReadAtLoadAndTheSchedulesOwnKeysWin() throws Exception {
        Files.writeString(tmp.resolve("checks.yaml"), "fail_on: warning\ntolerance: {default: 0.5}\n");
        SchedulerConfig c = ConfigLoader.load(write("attest.yaml", EXAMPLE.replace("    out: runs/live", "    out: runs/live\n    checks: checks.yaml")
                .replace("    out: runs/nightly", "    out: runs/nightly\n    checks: checks.yaml")));
        AuditSchedule nightly = c.schedule("nightly");
        assertThat(nightly.checks()).isEqualTo(tmp.resolve("checks.yaml").toString());
        assertThat(nightly.tolerance()).as("audit.tolerance wins").isEqualByComparingTo("0.01");
        assertThat(nightly.failOn()).as("fail_on wins").isEqualTo(Severity.CRITICAL);
        AuditSchedule live = c.schedule("live");
        assertThat(live.tolerance()).as("the file's default").isEqualByComparingTo("0.5");
        assertThat(live.failOn()).isEqualTo(Severity.WARNING);
        assertThat(ConfigLoader.load(write("plain.yaml", EXAMPLE)).schedule("live").checks()).isNull();

        Files.writeString(tmp.resolve("checks.yaml"), "thresholds: {money_over: 1}\n");
        assertThatThrownBy(() -> ConfigLoader.load(write("bad.yaml", EXAMPLE.replace("    out: runs/live", "    out: runs/live\n    checks: checks.yaml"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schedules[1].checks")
                .hasMessageContaining(tmp.resolve("checks.yaml").toString()).hasMessageContaining("thresholds.money_over");
    }

    @Test
    void customersAreOptionalResolvedAgainstTheFileAndReadAtLoad() throws Exception {
        assertThat(ConfigLoader.load(write("attest.yaml", EXAMPLE)).schedule("nightly").customers()).as("no customers input").isNull();

        Files.createDirectories(tmp.resolve("data/customers"));
        Files.writeString(tmp.resolve("data/customers/part-1.csv"), """
                customer_id,billing_anchor_day,billing_zone
                acme,15,Asia/Tokyo
                globex,,
                """);
        Path f = write("attest.yaml", EXAMPLE.replace("policies: data/policies }", "policies: data/policies, customers: data/customers }")
                .replace("decisions: d, policies: p }", "decisions: d, policies: p, customers: \"data/customers/*.csv\" }"));
        SchedulerConfig c = ConfigLoader.load(f);
        AuditSchedule nightly = c.schedule("nightly");
        assertThat(nightly.customers()).as("a folder, resolved like the other inputs").isEqualTo(tmp.resolve("data/customers").toString());
        assertThat(nightly.cycles().of("acme")).isEqualTo(BillingCycle.parse(15, "Asia/Tokyo"));
        assertThat(nightly.cycles().of("globex")).isEqualTo(BillingCycle.CALENDAR_MONTH_UTC);
        assertThat(c.schedule("live").customers()).as("a glob").isEqualTo(tmp.resolve("data/customers/*.csv").toString());
        assertThat(c.schedule("live").cycles().of("acme")).isEqualTo(BillingCycle.parse(15, "Asia/Tokyo"));
    }

    @Test
    void aBadCustomersRowStopsLoadingNamingFileRowAndCustomer() throws Exception {
        Path customers = tmp.resolve("customers.csv");
        String yaml = EXAMPLE.replace("policies: data/policies }", "policies: data/policies, customers: customers.csv }");
        Files.writeString(customers, "customer_id,billing_anchor_day,billing_zone\nacme,15,Asia/Tokyo\ninitech,32,UTC\n");
        Path f = write("attest.yaml", yaml);
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("attest.yaml: schedules[0].inputs.customers: ")
                .hasMessageContaining(customers + " row 2 (customer 'initech'): billing_anchor_day must be a whole number 1..31, got 32");
        Files.writeString(customers, "customer_id,billing_anchor_day,billing_zone\nacme,15,Asia/Tokyo\nacme,15,Europe/Berlin\n");
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(customers + " row 2 (customer 'acme'): gives this customer a second billing cycle");
        Files.writeString(customers, "customer_id,billing_anchor_day,billing_zone\nacme,15,Mars/Olympus\n");
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("row 1 (customer 'acme'): billing_zone 'Mars/Olympus' is not a known IANA time zone");
        Files.delete(customers);
        assertThatThrownBy(() -> ConfigLoader.load(f)).as("a missing customers file is an error too").isInstanceOf(ConfigException.class)
                .hasMessageContaining("schedules[0].inputs.customers: ");
    }

    private Path write(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void readsRetentionAndRejectsABadOne() throws Exception {
        Path f = tmp.resolve("attest.yaml");
        Files.writeString(f, EXAMPLE.replace("    out: runs/live\n", "    out: runs/live\n    keep: {passes: 5}\n"));
        assertThat(ConfigLoader.load(f).schedule("live").keep()).isEqualTo(new AuditSchedule.Keep(5));
        assertThat(ConfigLoader.load(f).schedule("nightly").keep()).isNull();
        Files.writeString(f, EXAMPLE.replace("    out: runs/live\n", "    out: runs/live\n    keep: {passes: 0}\n"));
        assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessageContaining("schedules[1].keep.passes");
        Files.writeString(f, EXAMPLE.replace("    out: runs/live\n", "    out: runs/live\n    keep: {runs: 3}\n"));
        assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessageContaining("schedules[1].keep.runs: unknown key");
        Files.writeString(f, EXAMPLE.replace("    out: runs/nightly\n", "    out: runs/nightly\n    keep: {passes: 3}\n"));
        assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessageContaining("keep applies to near-real-time schedules");
    }
}
