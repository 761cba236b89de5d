package dev.attest.core.rating;

/** An event with what each knowledge view expects of it. */
public record ExpectedEvent(RatingEvent event, Expectation asKnown, Expectation asCorrected) {
    public ExpectedEvent {
        if (event == null || asKnown == null || asCorrected == null) throw new IllegalArgumentException("event and both views are required");
    }
}
