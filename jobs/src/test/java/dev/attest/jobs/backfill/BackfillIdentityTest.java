package dev.attest.jobs.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.engine.backfill.Scope;
import dev.attest.io.input.InputSource;
import dev.attest.io.policy.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preview id names exactly the inputs, window, cut-off and scope: what an apply must prove it applies. */
class BackfillIdentityTest {
    static final Instant FROM = Instant.parse("2026-02-01T00:00:00Z");
    static final Instant TO = Instant.parse("2026-03-01T00:00:00Z");
    static final Instant AS_OF = Instant.parse("2026-03-10T00:00:00Z");

    @TempDir
    Path tmp;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(tmp.resolve("events.csv"), "event_id,customer_id,meter,quantity,event_time\ne1,c1,api,1,2026-02-02T00:00:00Z\n");
        Files.writeString(tmp.resolve("decisions.csv"), "decision_id,event_id,customer_id,meter,outcome,amount,currency,decided_at\n"
                + "d1,e1,c1,api,charged,0.01,USD,2026-02-02T00:00:01Z\n");
        Files.createDirectories(tmp.resolve("policies"));
        Files.writeString(tmp.resolve("policies/p.yaml"), policy("0.01"));
    }

    private static String policy(String price) {
        return "policy_id: p\nkind: price\nmeter: api\ncurrency: USD\nversions:\n  - version: 1\n    valid_from: \"2026-01-01T00:00:00Z\"\n"
                + "    valid_to: null\n    recorded_at: \"2025-12-01T00:00:00Z\"\n    rule: {model: unit, unit_price: \"" + price + "\"}\n"
                + "    change_ref: CHG-1\n    author: a\n";
    }

    private BackfillRequest request(Path out, Instant asOf, Scope scope) {
        return new BackfillRequest(InputSource.files(tmp.resolve("events.csv").toString()), InputSource.files(tmp.resolve("decisions.csv").toString()),
                tmp.resolve("policies").toString(), out, FROM, TO, asOf, scope, null);
    }

    private String id(BackfillRequest r) {
        return BackfillIdentity.of(r, new PolicyRegistry(PolicyLoader.load(r.policies()))).previewId();
    }

    @Test
    void sameInputsGiveTheSameIdWhereverTheOutputGoes() {
        String a = id(request(tmp.resolve("out-a"), AS_OF, Scope.CORRECTION));
        assertThat(a).hasSize(16).matches("[0-9a-f]+");
        assertThat(id(request(tmp.resolve("out-b"), AS_OF, Scope.CORRECTION))).isEqualTo(a);
    }

    @Test
    void anyChangeOfInputsCutOffScopeOrPoliciesGivesAnotherId() throws Exception {
        String a = id(request(tmp, AS_OF, Scope.CORRECTION));
        assertThat(id(request(tmp, AS_OF.plusSeconds(1), Scope.CORRECTION))).isNotEqualTo(a);
        assertThat(id(request(tmp, AS_OF, Scope.ALL))).isNotEqualTo(a);
        Files.writeString(tmp.resolve("policies/p.yaml"), policy("0.02"));
        String b = id(request(tmp, AS_OF, Scope.CORRECTION));
        assertThat(b).isNotEqualTo(a);
        Files.writeString(tmp.resolve("decisions.csv"), Files.readString(tmp.resolve("decisions.csv")).replace("0.01", "0.02"));
        assertThat(id(request(tmp, AS_OF, Scope.CORRECTION))).isNotEqualTo(b);
    }

    @Test
    void aBackfillNamesItsWindow() {
        assertThatThrownBy(() -> new BackfillRequest(InputSource.files("e"), InputSource.files("d"), "p", tmp, null, TO, AS_OF, null, null))
                .hasMessageContaining("--from and --to are required");
        assertThatThrownBy(() -> Scope.parse("everything")).hasMessageContaining("correction or all");
    }
}
