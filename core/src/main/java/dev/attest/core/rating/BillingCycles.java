package dev.attest.core.rating;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which billing cycle each customer has (contracts section 10). A customer that is not listed has version 1's
 * period, the UTC calendar month. Immutable.
 */
public final class BillingCycles {
    private static final BillingCycles CALENDAR_MONTHS = new BillingCycles(Map.of());
    private final Map<String, BillingCycle> byCustomer;

    private BillingCycles(Map<String, BillingCycle> byCustomer) {
        this.byCustomer = byCustomer;
    }

    /** No customers input: every customer is billed on UTC calendar months. */
    public static BillingCycles calendarMonths() {
        return CALENDAR_MONTHS;
    }

    public static BillingCycles of(Map<String, BillingCycle> byCustomer) {
        if (byCustomer.isEmpty()) return CALENDAR_MONTHS;
        Map<String, BillingCycle> copy = new HashMap<>(byCustomer.size() * 2);
        byCustomer.forEach((c, cycle) -> {
            if (c == null || cycle == null) throw new IllegalArgumentException("a customer and its cycle are required");
            copy.put(c, cycle);
        });
        return new BillingCycles(copy);
    }

    /** The customer's cycle: its own, or the UTC calendar month. */
    public BillingCycle of(String customerId) {
        BillingCycle c = byCustomer.get(customerId);
        return c == null ? BillingCycle.CALENDAR_MONTH_UTC : c;
    }

    /** Whether the customers input listed this customer. */
    public boolean lists(String customerId) {
        return byCustomer.containsKey(customerId);
    }

    /** True when every customer has the UTC calendar month (no customers input, or one that only says so). */
    public boolean allCalendarMonths() {
        for (BillingCycle c : byCustomer.values()) if (!c.isCalendarMonthUtc()) return false;
        return true;
    }

    /** The listed customers and their cycles. */
    public Map<String, BillingCycle> listed() {
        return java.util.Collections.unmodifiableMap(byCustomer);
    }

    /** The distinct cycles in use, the default included. */
    public Set<BillingCycle> distinct() {
        Set<BillingCycle> out = new LinkedHashSet<>();
        out.add(BillingCycle.CALENDAR_MONTH_UTC);
        Collection<BillingCycle> v = byCustomer.values();
        out.addAll(v);
        return out;
    }

    public int size() {
        return byCustomer.size();
    }
}
