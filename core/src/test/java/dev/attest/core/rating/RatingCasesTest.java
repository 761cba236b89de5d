package dev.attest.core.rating;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.policy.PolicyRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Runs every case file of src/test/resources/rating-cases through the period fold. */
class RatingCasesTest {

    static Stream<RatingCase> cases() throws IOException, URISyntaxException {
        Path dir = Path.of(RatingCasesTest.class.getResource("/rating-cases").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList().stream().map(f -> {
                try {
                    return RatingCase.load(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ratesAsTheCaseExpects(RatingCase c) {
        Map<String, ExpectedEvent> rated = rate(c);
        SoftAssertions soft = new SoftAssertions();
        for (RatingCase.CaseEvent ce : c.events()) {
            ExpectedEvent got = rated.get(ce.event().eventId());
            check(soft, ce.event().eventId() + " as-known", ce.asKnown(), got.asKnown());
            check(soft, ce.event().eventId() + " as-corrected", ce.asCorrected(), got.asCorrected());
        }
        soft.assertAll();
    }

    @Test
    void everyCaseChecksSomethingAndDifferencesAreExplained() throws Exception {
        List<RatingCase> all = cases().toList();
        assertThat(all).hasSizeGreaterThanOrEqualTo(20);
        for (RatingCase c : all) {
            assertThat(c.events()).as(c.file()).allSatisfy(e -> assertThat(e.asKnown().size()).as(e.event().eventId()).isPositive());
            if (c.differsFromSource()) assertThat(c.note()).as(c.file() + " differs from its source, so it says why").isNotBlank();
        }
    }

    /** Partitions the case's events as the audit would: by (customer, meter, billing period), each sorted by (time, id). */
    static Map<String, ExpectedEvent> rate(RatingCase c) {
        PeriodRater rater = new PeriodRater(new PolicyRegistry(c.policies()), c.cutoff(), true, c.cycles());
        Map<String, List<RatingEvent>> partitions = new LinkedHashMap<>();
        for (RatingCase.CaseEvent ce : c.events()) {
            RatingEvent e = ce.event();
            partitions.computeIfAbsent(e.customerId() + "|" + e.meter() + "|" + rater.periodOf(e.customerId(), e.eventTime()), k -> new ArrayList<>()).add(e);
        }
        Map<String, ExpectedEvent> byId = new HashMap<>();
        for (List<RatingEvent> p : partitions.values()) {
            p.sort(Comparator.comparing(RatingEvent::eventTime).thenComparing(RatingEvent::eventId, PeriodRater::compareEventIds));
            for (ExpectedEvent x : rater.rate(p)) byId.put(x.event().eventId(), x);
        }
        return byId;
    }

    private static void check(SoftAssertions soft, String what, JsonNode want, Expectation got) {
        String desc = what + " [" + got.computation() + "]";
        if (want.has("amount")) {
            BigDecimal amount = RatingCase.decimal(want, "amount");
            if (amount == null) soft.assertThat(got.amount()).as(desc + " amount").isNull();
            else soft.assertThat(got.amount()).as(desc + " amount").isNotNull().isEqualByComparingTo(amount);
        }
        if (want.has("amount_text"))
            soft.assertThat(got.amount() == null ? null : got.amount().toPlainString()).as(desc + " amount_text").isEqualTo(RatingCase.text(want, "amount_text"));
        if (want.has("outcome"))
            soft.assertThat(got.outcome() == null ? null : got.outcome().wire()).as(desc + " outcome").isEqualTo(RatingCase.text(want, "outcome"));
        if (want.has("status")) soft.assertThat(got.status().name()).as(desc + " status").isEqualTo(RatingCase.text(want, "status"));
        if (want.has("price")) soft.assertThat(ref(got.price())).as(desc + " price").isEqualTo(RatingCase.text(want, "price"));
        if (want.has("discount")) soft.assertThat(ref(got.discount())).as(desc + " discount").isEqualTo(RatingCase.text(want, "discount"));
        if (want.has("entitlement")) soft.assertThat(ref(got.entitlement())).as(desc + " entitlement").isEqualTo(RatingCase.text(want, "entitlement"));
        if (want.has("currency")) soft.assertThat(got.currency()).as(desc + " currency").isEqualTo(RatingCase.text(want, "currency"));
        if (want.has("before")) soft.assertThat(got.before()).as(desc + " before").isEqualByComparingTo(RatingCase.decimal(want, "before"));
        if (want.has("provisional")) soft.assertThat(got.provisional()).as(desc + " provisional").isEqualTo(want.get("provisional").asBoolean());
        if (want.has("conflicting")) {
            List<String> ids = new ArrayList<>();
            for (JsonNode id : want.get("conflicting").values()) ids.add(id.asString());
            soft.assertThat(got.conflicting()).as(desc + " conflicting").isEqualTo(ids);
        }
        if (want.has("computation")) soft.assertThat(got.computation()).as(what + " computation").isEqualTo(RatingCase.text(want, "computation"));
        if (want.has("computation_contains"))
            soft.assertThat(got.computation()).as(what + " computation").contains(RatingCase.text(want, "computation_contains"));
    }

    private static String ref(Object versionRef) {
        return versionRef == null ? null : versionRef.toString();
    }
}
