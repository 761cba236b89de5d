package dev.attest.app;

import dev.attest.core.findings.Money;
import dev.attest.core.findings.MoneyClass;
import dev.attest.reports.Json;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Money by class as people read it on a console: {@code money USD: overcharged USD 1.20, ..., retroactive USD +130.17}. */
final class MoneyText {
    private MoneyText() {}

    /** One line per currency of summary.json's {@code money}; "money: none" when no finding moves money. */
    static List<String> consoleLines(Path summaryJson) {
        List<String> out = new ArrayList<>();
        if (!Files.isRegularFile(summaryJson)) return out;
        JsonNode money;
        try {
            money = Json.MAPPER.readTree(Files.readString(summaryJson)).path("money");
        } catch (Exception e) {
            return out;
        }
        if (!money.isObject() || money.isEmpty()) {
            out.add("money: none (no finding moves money)");
            return out;
        }
        for (Map.Entry<String, JsonNode> cur : money.properties()) {
            StringBuilder line = new StringBuilder("money ").append(cur.getKey()).append(':');
            boolean first = true;
            for (MoneyClass k : MoneyClass.values()) {
                JsonNode v = cur.getValue().path(k.wire());
                if (v.isMissingNode()) continue;
                BigDecimal amount = new BigDecimal(v.asString());
                line.append(first ? " " : ", ").append(k.wire()).append(' ')
                        .append(k == MoneyClass.RETROACTIVE ? Money.formatSigned(cur.getKey(), amount) : Money.format(cur.getKey(), amount));
                first = false;
            }
            out.add(line.toString());
        }
        return out;
    }
}
