package dev.attest.io.customers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.rating.BillingCycle;
import dev.attest.core.rating.BillingCycles;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The customers input of contracts section 10, from real CSV, JSON Lines and Parquet files. */
class CustomersLoaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        return f;
    }

    @Test
    void readsCsvJsonLinesAndParquetWithDefaultsForMissingValues() throws Exception {
        write("c/a.csv", "customer_id,billing_anchor_day,billing_zone,plan\nc1,15,Europe/Berlin,pro\nc2,,,free\nc3,31,,x\n");
        write("c/b.jsonl", "{\"customer_id\": \"c4\", \"billing_anchor_day\": 29, \"billing_zone\": \"Asia/Tokyo\"}\n\n{\"customer_id\": \"c5\"}\n");
        try (Duck duck = Duck.inMemory()) {
            duck.execute("COPY (SELECT 'c6' AS customer_id, 30::INTEGER AS billing_anchor_day, 'America/New_York' AS billing_zone) TO "
                    + Duck.literal(dir.resolve("c/d.parquet").toString()) + " (FORMAT parquet)");
        }
        BillingCycles cycles = CustomersLoader.load(dir.resolve("c").toString());
        assertThat(cycles.size()).isEqualTo(6);
        assertThat(cycles.of("c1")).isEqualTo(new BillingCycle(15, ZoneId.of("Europe/Berlin")));
        assertThat(cycles.of("c2")).isEqualTo(BillingCycle.CALENDAR_MONTH_UTC); // empty fields are defaults
        assertThat(cycles.of("c3")).isEqualTo(BillingCycle.parse(31, "UTC"));
        assertThat(cycles.of("c4")).isEqualTo(BillingCycle.parse(29, "Asia/Tokyo"));
        assertThat(cycles.of("c5")).isEqualTo(BillingCycle.CALENDAR_MONTH_UTC);
        assertThat(cycles.of("c6")).isEqualTo(BillingCycle.parse(30, "America/New_York"));
        assertThat(cycles.of("not-listed")).isEqualTo(BillingCycle.CALENDAR_MONTH_UTC);
        assertThat(cycles.lists("c2")).isTrue();
        assertThat(cycles.lists("not-listed")).isFalse();
        // A glob names the same files.
        assertThat(CustomersLoader.load(dir.resolve("c").toString() + "/*.csv").size()).isEqualTo(3);
    }

    @Test
    void noInputIsCalendarMonthsForEveryone() {
        assertThat(CustomersLoader.load(null).allCalendarMonths()).isTrue();
        assertThat(CustomersLoader.load(" ").size()).isZero();
    }

    @Test
    void identicalDuplicatesCountOnceAndContradictingOnesNameBothRows() throws Exception {
        Path same = write("same.csv", "customer_id,billing_anchor_day,billing_zone\nc1,15,UTC\nc1,15.0,UTC\n");
        assertThat(CustomersLoader.load(same.toString()).of("c1")).isEqualTo(BillingCycle.parse(15, "UTC"));
        Path two = write("two.csv", "customer_id,billing_anchor_day,billing_zone\nc1,15,UTC\nc2,1,UTC\nc1,16,UTC\n");
        assertThatThrownBy(() -> CustomersLoader.load(two.toString())).isInstanceOf(InputException.class)
                .satisfies(e -> assertThat(((InputException) e).code()).isEqualTo(InputException.Code.BAD_CUSTOMER))
                .hasMessageContaining(two + " row 3 (customer 'c1')").hasMessageContaining(two + " row 1")
                .hasMessageContaining("second billing cycle");
    }

    @Test
    void badRowsNameFileRowCustomerAndReason() throws Exception {
        assertBad("customer_id,billing_anchor_day\nc1,0\n", "row 1 (customer 'c1'): billing_anchor_day must be a whole number 1..31, got 0");
        assertBad("customer_id,billing_anchor_day\nc1,32\n", "got 32");
        assertBad("customer_id,billing_anchor_day\nc1,1.5\n", "got 1.5");
        assertBad("customer_id,billing_anchor_day\nc1,first\n", "'first' is not a whole number");
        assertBad("customer_id,billing_zone\nc1,ok\nc2,Europe/Paris\nc3,Mars/Base\n", "row 1 (customer 'c1'): billing_zone 'ok' is not a known IANA time zone");
        assertBad("customer_id,billing_zone\nc1,+02:00\n", "fixed offset");
        assertBad("customer_id,billing_zone\n,UTC\n", "row 1: customer_id is required");
        Path noColumn = write("nocol.csv", "customer,billing_zone\nc1,UTC\n");
        assertThatThrownBy(() -> CustomersLoader.load(noColumn.toString())).isInstanceOf(InputException.class)
                .hasMessageContaining("has no customer_id column");
        Path json = write("bad.jsonl", "{\"customer_id\": \"c1\"}\nnot json\n");
        assertThatThrownBy(() -> CustomersLoader.load(json.toString())).isInstanceOf(InputException.class)
                .hasMessageContaining(json + " row 2: not a JSON object");
        assertThatThrownBy(() -> CustomersLoader.load(dir.resolve("missing.csv").toString())).isInstanceOf(InputException.class)
                .hasMessageContaining("customers input: no such file");
    }

    private void assertBad(String csv, String message) throws Exception {
        Path f = write("bad-" + Integer.toHexString(csv.hashCode()) + ".csv", csv);
        assertThatThrownBy(() -> CustomersLoader.load(f.toString())).isInstanceOf(InputException.class).hasMessageContaining(f.toString())
                .hasMessageContaining(message);
    }
}
