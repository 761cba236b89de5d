package dev.attest.stream;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.live.CustomerSnapshot;
import dev.attest.core.live.LiveEvent;
import dev.attest.core.rating.PeriodState;
import dev.attest.core.rating.RatingEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The checkpoint rows' text, written straight into a builder: byte for byte what Jackson writes for them
 * ({@link CheckpointRows#ROWS}, and {@link Messages#snapshot} for the head), which the restore still reads with Jackson.
 * Jackson's data binding (a serializer looked up and a property read reflectively per component) was about half of the
 * rows' cost, and the rows a quarter of the stream thread, at 10,000 decisions/s. A string that needs an escape goes to
 * Jackson, so escaping has one owner.
 */
final class RowText {
    private RowText() {}

    /** {@code [event, ingestedAt]}, the event {@code [eventId, customerId, meter, quantity, eventTime, knownAt, value, dimensions]}. */
    static StringBuilder liveEvent(StringBuilder b, LiveEvent e) {
        RatingEvent r = e.event();
        b.append("[[");
        string(b, r.eventId()).append(',');
        string(b, r.customerId()).append(',');
        string(b, r.meter()).append(',');
        number(b, r.quantity()).append(',');
        instant(b, r.eventTime()).append(',');
        instant(b, r.knownAt()).append(',');
        number(b, r.value()).append(",{");
        boolean firstDimension = true;
        for (Map.Entry<String, String> d : r.dimensions().entrySet()) {
            if (!firstDimension) b.append(',');
            firstDimension = false;
            string(b, d.getKey()).append(':');
            string(b, d.getValue());
        }
        b.append("}],");
        return instant(b, e.ingestedAt()).append(']');
    }

    /** The decisions naming one event, an array of rows. */
    static String decisions(List<DecisionRecord> ds) {
        StringBuilder b = new StringBuilder(160 * ds.size()).append('[');
        for (int i = 0; i < ds.size(); i++) {
            if (i > 0) b.append(',');
            decision(b, ds.get(i));
        }
        return b.append(']').toString();
    }

    private static void decision(StringBuilder b, DecisionRecord d) {
        b.append('[');
        string(b, d.decisionId()).append(',');
        string(b, d.eventId()).append(',');
        string(b, d.customerId()).append(',');
        string(b, d.meter()).append(',');
        b.append('"').append(d.outcome().name()).append("\",");
        number(b, d.amount()).append(',');
        string(b, d.currency()).append(',');
        string(b, d.pricePolicyId()).append(',');
        integer(b, d.priceVersion()).append(',');
        string(b, d.discountPolicyId()).append(',');
        integer(b, d.discountVersion()).append(',');
        string(b, d.entitlementPolicyId()).append(',');
        integer(b, d.entitlementVersion()).append(',');
        instant(b, d.decidedAt()).append(',');
        string(b, d.invoiceId()).append(']');
    }

    /** {@code [meter, periodStart, seed, watermark, maxEventTime, lastArrival, pending, volume, settledThrough]}. */
    static String part(CustomerSnapshot.PartRow p) {
        StringBuilder b = new StringBuilder(192).append('[');
        string(b, p.meter()).append(',');
        instant(b, p.periodStart()).append(',');
        PeriodState s = p.seed();
        if (s == null) b.append("null");
        else {
            number(b.append('['), s.knownBefore()).append(',').append(s.knownVolumeFeeDue()).append(',');
            number(b, s.correctedBefore()).append(',').append(s.correctedVolumeFeeDue()).append(']');
        }
        b.append(',');
        instant(b, p.watermark()).append(',');
        instant(b, p.maxEventTime()).append(',');
        instant(b, p.lastArrival()).append(",[");
        for (int i = 0; i < p.pending().size(); i++) string(i > 0 ? b.append(',') : b, p.pending().get(i));
        b.append("],").append(p.volume()).append(',');
        CustomerSnapshot.Position at = p.settledThrough();
        if (at == null) b.append("null");
        else string(instant(b.append('['), at.eventTime()).append(','), at.eventId()).append(']');
        return b.append(']').toString();
    }

    /** {@code [decisionId, eventId, seq, content, provisional, settled, unlinked]}. */
    static String mark(CustomerSnapshot.MarkRow m) {
        StringBuilder b = new StringBuilder(96).append('[');
        string(b, m.decisionId()).append(',');
        string(b, m.eventId()).append(',').append(m.seq()).append(',');
        string(b, m.content()).append(',').append(m.provisional()).append(',').append(m.settled()).append(',').append(m.unlinked());
        return b.append(']').toString();
    }

    /** The head (a snapshot without rows) as the object {@link Messages#snapshot} writes: its rows' lists are empty. */
    static String head(CustomerSnapshot h) {
        if (!h.events().isEmpty() || !h.decisions().isEmpty() || !h.parts().isEmpty() || !h.verdicts().isEmpty())
            return Messages.snapshot(h); // not a head: Jackson writes the rows as objects
        StringBuilder b = new StringBuilder(256).append("{\"customerId\":");
        string(b, h.customerId()).append(",\"events\":[],\"decisions\":[],\"parts\":[],\"verdicts\":[],\"maxEventTime\":");
        instant(b, h.maxEventTime()).append(",\"maxDecidedAt\":");
        instant(b, h.maxDecidedAt()).append(",\"lastArrival\":");
        instant(b, h.lastArrival()).append(",\"watermark\":");
        instant(b, h.watermark()).append(",\"late\":").append(h.late()).append(",\"redelivered\":").append(h.redelivered());
        return b.append('}').toString();
    }

    static StringBuilder string(StringBuilder b, String s) {
        if (s == null) return b.append("null");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x20 || ch == '"' || ch == '\\' || ch >= 0x7f) return b.append(Messages.JSON.writeValueAsString(s));
        }
        return b.append('"').append(s).append('"');
    }

    /** As Jackson writes a BigDecimal by default: its {@code toString()} (which may use an exponent), as a JSON number. */
    private static StringBuilder number(StringBuilder b, BigDecimal x) {
        return x == null ? b.append("null") : b.append(x);
    }

    private static StringBuilder integer(StringBuilder b, Integer x) {
        return x == null ? b.append("null") : b.append(x.intValue());
    }

    private static StringBuilder instant(StringBuilder b, Instant t) {
        return t == null ? b.append("null") : InstantText.append(b.append('"'), t).append('"');
    }
}
