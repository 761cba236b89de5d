package dev.attest.reports.html;

import static dev.attest.reports.html.Html.esc;

import dev.attest.reports.CodeCount;
import java.util.List;
import java.util.Map;

/** What each finding code of the run means, its likely cause and the next step, for a reader new to the codes. */
public final class Glossary {
    /** Meaning, likely cause, next step. */
    public record Entry(String meaning, String cause, String next) {}

    public static final Map<String, Entry> ENTRIES = Map.ofEntries(
            Map.entry("MISSING_DECISION", new Entry("A usage event in the window has no decision: it was never billed or denied.",
                    "The live system dropped or never received the event, or its decision is not in the export.",
                    "Check the event in the live system's logs; bill it in the next cycle or explain why it is exempt.")),
            Map.entry("ORPHAN_DECISION", new Entry("A decision names an event that does not exist.",
                    "The event export is incomplete, or the decision carries a wrong event_id.",
                    "Look for the event in the source system; if it is missing from the export, audit again with it.")),
            Map.entry("UNLINKED_DECISION", new Entry("A decision names no event at all.",
                    "A manual charge or adjustment, or an integration that does not pass event ids.",
                    "Confirm it was intended (a manual charge) and make the integration carry the event id.")),
            Map.entry("DUPLICATE_DECISION", new Entry("One event was decided (charged) more than once.",
                    "A retry without idempotency, or an event replayed into the billing system.",
                    "Credit the extra charges; make decisions idempotent on event_id.")),
            Map.entry("DUPLICATE_EVENT_CONFLICT", new Entry("Two deliveries of one event_id disagree (quantity, time, customer or meter).",
                    "The producer reused an id, or changed an event after sending it.",
                    "Find which delivery is right with the producer; ids must be unique and events immutable.")),
            Map.entry("AMOUNT_MISMATCH", new Entry("The amount charged differs from what the rules that applied give.",
                    "A wrong price, tier, discount or quantity in the live rating.",
                    "Run the explain command of the row; correct the invoice (credit or debit) and the rating bug.")),
            Map.entry("ROUNDING_DIFFERENCE", new Entry("The amount differs only by rounding (within a minor unit or --tolerance).",
                    "Rounding per line instead of once after the discount, or another rounding mode.",
                    "Align the rounding rule with the contract; usually no customer action.")),
            Map.entry("OUTCOME_MISMATCH", new Entry("The decision's outcome (charged, included, denied) differs from the rules'.",
                    "A quota or entitlement counted wrongly, or a rule not applied.",
                    "Explain the row; charge or credit the customer and fix the quota counting.")),
            Map.entry("WRONG_VERSION", new Entry("The decision applied another policy version than the one valid at the event's time.",
                    "A stale cache of the policy, or a version switched at the wrong moment.",
                    "Check the version's rollout time against valid_from; re-rate the affected events.")),
            Map.entry("UNKNOWN_POLICY_VERSION", new Entry("The decision names a policy version the registry does not have.",
                    "The registry export is incomplete, or the live system used an unpublished version.",
                    "Add the version to the registry (with its change_ref) or find where it came from.")),
            Map.entry("NOT_YET_RECORDED", new Entry("The decision applied a version recorded only after the decision was made.",
                    "A version used before it was approved and recorded, or a wrong recorded_at.",
                    "Check the change process for that version; record changes before they go live.")),
            Map.entry("MISSING_RULE_REF", new Entry("A charged decision names no price policy or version.",
                    "The live system does not write which rule it applied.",
                    "Make the decision record carry the rule reference; until then these cannot be traced.")),
            Map.entry("NO_POLICY", new Entry("No price policy covers the event's meter at its time, yet it was decided.",
                    "A meter launched before its price was recorded, or a fallback price in the live system.",
                    "Record the price policy with its valid time, or stop charging the meter.")),
            Map.entry("NO_PRICE", new Entry("A policy exists but gives no price for this event (no tier, no matching rule).",
                    "A gap in the tiers, or a rule that does not cover the quantity.",
                    "Fix the rule so every quantity has a price.")),
            Map.entry("POLICY_CONFLICT", new Entry("Two policy versions of the same kind apply to the event at once.",
                    "Overlapping valid times, e.g. a customer price and a default that both match.",
                    "Close one version's valid time or set a precedence in the registry.")),
            Map.entry("CURRENCY_MISMATCH", new Entry("The decision's currency differs from the price's.",
                    "A wrong currency in the billing system, or a price in another currency applied.",
                    "Re-issue the charge in the right currency.")),
            Map.entry("RETROACTIVE_CORRECTION", new Entry("A policy version recorded after the decision changes its expected result.",
                    "A correction of a price or rule, applied back in time.",
                    "Preview the impact with attest backfill, then apply it; not an error of the live system.")),
            Map.entry("LATE_DECISION", new Entry("The decision came later after the event than --late-after allows.",
                    "A backlog, a batch that ran late, or events delivered late.",
                    "Check the pipeline's delays; late decisions may fall into a closed billing period.")));

    private Glossary() {}

    public static void append(StringBuilder h, List<CodeCount> codes) {
        List<CodeCount> present = codes.stream().filter(c -> c.count() > 0).toList();
        if (present.isEmpty()) return;
        h.append("<section id=\"glossary\"><h2>What the codes mean</h2><table><tr><th>code</th><th>meaning</th><th>likely cause</th>")
                .append("<th>next step</th></tr>");
        for (CodeCount c : present) {
            Entry e = ENTRIES.get(c.code());
            h.append("<tr id=\"code-").append(esc(c.code())).append("\"><td class=\"sev-").append(esc(c.severity())).append("\">")
                    .append(esc(c.code())).append("</td>");
            if (e == null) h.append("<td colspan=\"3\"></td></tr>");
            else h.append("<td>").append(esc(e.meaning())).append("</td><td>").append(esc(e.cause())).append("</td><td>")
                    .append(esc(e.next())).append("</td></tr>");
        }
        h.append("</table></section>\n");
    }
}
