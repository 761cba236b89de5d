package dev.attest.core.rating;

import dev.attest.core.policy.Rule;
import dev.attest.core.policy.Tier;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The price models of contracts section 4, one small function each. Arithmetic is exact: only
 * multiplication, addition, moving the decimal point (percent / 100) and an exact integer ceiling
 * (package); no MathContext ever truncates money. Each function appends its working to {@code why},
 * the event's {@link Expectation#computation()}.
 */
final class PriceModels {
    private PriceModels() {}

    private static final long[] TEN_POWERS = new long[19];

    static {
        TEN_POWERS[0] = 1;
        for (int i = 1; i < TEN_POWERS.length; i++) TEN_POWERS[i] = TEN_POWERS[i - 1] * 10;
    }

    /** {@code quantity * unit_price}. */
    static BigDecimal unit(Rule.Unit rule, BigDecimal quantity, Account why) {
        BigDecimal amount = quantity.multiply(rule.unitPrice());
        why.number(quantity).text(" x ").number(rule.unitPrice()).text(" = ").number(amount);
        return amount;
    }

    /**
     * Sum over tiers of {@code unit_price_i * overlap((before, after], (lo_i, up_i])}, plus the flat fee of
     * each tier this event enters ({@code before <= lo_i < after}). A zero quantity enters no tier.
     */
    static BigDecimal graduated(List<Tier> tiers, BigDecimal before, BigDecimal quantity, Account why) {
        BigDecimal after = before.add(quantity);
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal lo = BigDecimal.ZERO;
        boolean first = true;
        for (Tier tier : tiers) {
            if (after.compareTo(lo) <= 0) break; // tiers increase: nothing at or above lo is reached
            BigDecimal up = tier.upTo();
            if (up == null || before.compareTo(up) < 0) {
                BigDecimal units = (up == null ? after : after.min(up)).subtract(before.max(lo));
                boolean entered = before.compareTo(lo) <= 0;
                boolean fee = entered && tier.flatFee().signum() != 0;
                BigDecimal part = units.multiply(tier.unitPrice());
                sum = sum.add(part);
                if (fee) sum = sum.add(tier.flatFee());
                if (units.signum() != 0 || fee) {
                    why.text(first ? "" : "; ").number(units).text(" x ").number(tier.unitPrice());
                    range(why.text(' '), lo, up);
                    if (fee) why.text(" + flat ").number(tier.flatFee());
                    first = false;
                }
            }
            if (up == null) break;
            lo = up;
        }
        if (first) why.text("no tier entered");
        why.text(" = ").number(sum);
        return sum;
    }

    /**
     * The period total picks one tier ({@code lo < total <= up}); the event costs {@code quantity * unit_price}
     * of it, plus the tier's flat fee when {@code chargeFlatFee} (the period's first allowed event). A total of
     * zero picks no tier and costs nothing: no usage, no charge.
     */
    static BigDecimal volume(List<Tier> tiers, BigDecimal total, BigDecimal quantity, boolean chargeFlatFee, Account why) {
        why.text("T=").number(total);
        if (total.signum() <= 0) {
            why.text(" picks no tier = 0");
            return BigDecimal.ZERO;
        }
        BigDecimal lo = BigDecimal.ZERO;
        Tier picked = tiers.get(tiers.size() - 1);
        for (Tier tier : tiers) {
            if (tier.upTo() == null || total.compareTo(tier.upTo()) <= 0) {
                picked = tier;
                break;
            }
            lo = tier.upTo();
        }
        BigDecimal amount = quantity.multiply(picked.unitPrice());
        range(why.text(" in "), lo, picked.upTo());
        why.text(": ").number(quantity).text(" x ").number(picked.unitPrice());
        if (chargeFlatFee && picked.flatFee().signum() != 0) {
            amount = amount.add(picked.flatFee());
            why.text(" + flat ").number(picked.flatFee()).text(" (first event)");
        }
        why.text(" = ").number(amount);
        return amount;
    }

    /** {@code package_price * (ceil(u(after)/size) - ceil(u(before)/size))} with {@code u(x) = max(0, x - free_units)}. */
    static BigDecimal pack(Rule.Package rule, BigDecimal before, BigDecimal quantity, Account why) {
        BigDecimal after = before.add(quantity);
        BigDecimal packsAfter = packages(rule, after);
        BigDecimal packsBefore = packages(rule, before);
        BigDecimal amount = rule.packagePrice().multiply(packsAfter.subtract(packsBefore));
        why.number(rule.packagePrice()).text(" x (").number(packsAfter).text(" - ").number(packsBefore)
                .text(") packages of ").number(rule.packageSize());
        if (rule.freeUnits().signum() != 0) why.text(", ").number(rule.freeUnits()).text(" free");
        why.text(" = ").number(amount);
        return amount;
    }

    /** Packages started by a cumulative quantity: {@code ceil(max(0, x - free) / size)}, exact. */
    static BigDecimal packages(Rule.Package rule, BigDecimal cumulative) {
        BigDecimal billable = cumulative.subtract(rule.freeUnits());
        if (billable.signum() <= 0) return BigDecimal.ZERO;
        // Fast path, exact: both sides as longs at a common scale when they fit (staged quantities carry scale 9);
        // BigDecimal division dominated bulk rating (measured: 30% of the fold).
        BigDecimal size = rule.packageSize();
        int scale = Math.max(billable.scale(), size.scale());
        if (scale >= 0 && scale <= 18 && billable.precision() - billable.scale() + scale <= 18
                && size.precision() - size.scale() + scale <= 18) {
            long x = billable.unscaledValue().longValue() * TEN_POWERS[scale - billable.scale()];
            long y = size.unscaledValue().longValue() * TEN_POWERS[scale - size.scale()];
            long q = x / y;
            return BigDecimal.valueOf(x % y > 0 ? q + 1 : q);
        }
        BigDecimal[] qr = billable.divideAndRemainder(rule.packageSize()); // integral quotient, exact remainder
        BigDecimal whole = qr[0].setScale(0, RoundingMode.UNNECESSARY);
        return qr[1].signum() > 0 ? whole.add(BigDecimal.ONE) : whole;
    }

    /**
     * {@code min(max(percent/100 * value, min_per_event), max_per_event) + fixed_fee}, clamps only when set;
     * null (NO_PRICE) when the event carries no value.
     */
    static BigDecimal percentage(Rule.Percentage rule, BigDecimal value, Account why) {
        if (value == null) {
            why.text("event has no value");
            return null;
        }
        BigDecimal amount = rule.percent().movePointLeft(2).multiply(value);
        why.number(rule.percent()).text("% of ").number(value).text(" = ").number(amount);
        if (rule.minPerEvent() != null && amount.compareTo(rule.minPerEvent()) < 0) {
            amount = rule.minPerEvent();
            why.text(" -> min ").number(amount);
        }
        if (rule.maxPerEvent() != null && amount.compareTo(rule.maxPerEvent()) > 0) {
            amount = rule.maxPerEvent();
            why.text(" -> max ").number(amount);
        }
        if (rule.fixedFee() != null && rule.fixedFee().signum() != 0) {
            amount = amount.add(rule.fixedFee());
            why.text(" + fixed ").number(rule.fixedFee()).text(" = ").number(amount);
        }
        return amount;
    }

    /**
     * {@code quantity * unit_price} of the first entry all of whose match keys have the same value in the
     * event's dimensions, else of the default; null (NO_PRICE) when neither exists.
     */
    static BigDecimal matrix(Rule.Matrix rule, BigDecimal quantity, Map<String, String> dimensions, Account why) {
        BigDecimal price = null;
        for (Rule.MatrixEntry entry : rule.prices()) {
            if (matches(entry.match(), dimensions)) {
                price = entry.unitPrice();
                why.text("match ").text(sorted(entry.match())).text(": ");
                break;
            }
        }
        if (price == null) {
            price = rule.defaultUnitPrice();
            if (price == null) {
                why.text("no entry matches ").text(sorted(dimensions)).text(" and no default");
                return null;
            }
            why.text("default: ");
        }
        BigDecimal amount = quantity.multiply(price);
        why.number(quantity).text(" x ").number(price).text(" = ").number(amount);
        return amount;
    }

    static boolean matches(Map<String, String> match, Map<String, String> dimensions) {
        for (Map.Entry<String, String> kv : match.entrySet())
            if (!kv.getValue().equals(dimensions.get(kv.getKey()))) return false;
        return true;
    }

    /** Map.copyOf iterates in a per-JVM order; the account must read the same in every run. */
    private static String sorted(Map<String, String> map) {
        return new TreeMap<>(map).toString();
    }

    /** {@code amount * (1 - percent_off/100)}, exact. */
    static BigDecimal discount(Rule.Discount rule, BigDecimal amount) {
        return amount.multiply(BigDecimal.ONE.subtract(rule.percentOff().movePointLeft(2)));
    }

    private static void range(Account why, BigDecimal lo, BigDecimal up) {
        why.text('(').number(lo).text(',');
        if (up == null) why.text("inf)");
        else why.number(up).text(']');
    }
}
