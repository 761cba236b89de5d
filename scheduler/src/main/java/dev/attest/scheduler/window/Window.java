package dev.attest.scheduler.window;

import java.time.Instant;

/** An event-time window [start, end) of a schedule, due for its audit at {@code dueAt} (a cron fire time). */
public record Window(Instant start, Instant end, Instant dueAt) implements Comparable<Window> {
    public Window {
        if (start == null || end == null || dueAt == null) throw new IllegalArgumentException("start, end and due time are required");
        if (!end.isAfter(start)) throw new IllegalArgumentException("window end " + end + " must be after its start " + start);
    }

    @Override
    public int compareTo(Window o) {
        return start.compareTo(o.start);
    }

    @Override
    public String toString() {
        return "[" + start + ", " + end + ")";
    }
}
