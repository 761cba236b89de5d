package dev.attest.app;

/** The generated data's file layout: {@code date} (hive date partitions) or {@code flat}. */
final class Layouts {
    private Layouts() {}

    static boolean date(String layout) {
        return switch (layout == null ? "date" : layout.trim()) {
            case "date" -> true;
            case "flat" -> false;
            default -> throw new IllegalArgumentException("--layout must be date or flat, got '" + layout + "'");
        };
    }
}
