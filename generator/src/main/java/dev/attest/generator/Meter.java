package dev.attest.generator;

/**
 * The meters of the synthetic world, one per price model, plus one that has no price at all.
 *
 * @param weight    relative share of the usage events of a customer that uses the meter
 * @param regular   false for {@link #GPU_MINUTES}: its events exist only as NO_POLICY faults
 */
enum Meter {
    API_CALLS("api_calls", "unit", 3.0, true),
    COMPUTE_SECONDS("compute_seconds", "graduated", 2.0, true),
    STORAGE_GB("storage_gb", "volume", 1.0, true),
    SMS("sms", "package", 1.5, true),
    PAYMENTS("payments", "percentage", 1.0, true),
    EGRESS_GB("egress_gb", "matrix", 1.5, true),
    /** A beta meter shipped before its price was published: no price policy exists. */
    GPU_MINUTES("gpu_minutes", null, 0.0, false);

    final String id;
    final String model;
    final double weight;
    final boolean regular;

    Meter(String id, String model, double weight, boolean regular) {
        this.id = id;
        this.model = model;
        this.weight = weight;
        this.regular = regular;
    }

    /** Mean quantity of one event (the generators below draw around it). */
    double meanQuantity() {
        return switch (this) {
            case API_CALLS -> logUniformMean(100, 50_000);
            case COMPUTE_SECONDS -> logUniformMean(1, 3_600);
            case STORAGE_GB -> logUniformMean(1, 2_000);
            case SMS -> 30.5;
            case PAYMENTS -> 1;
            case EGRESS_GB -> logUniformMean(0.01, 500);
            case GPU_MINUTES -> 120;
        };
    }

    static double logUniformMean(double a, double b) {
        return (b - a) / Math.log(b / a);
    }
}
