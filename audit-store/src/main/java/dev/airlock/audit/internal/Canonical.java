package dev.airlock.audit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Canonical JSON, the form in which a record is hashed (and spooled): no insignificant whitespace,
 * object members sorted by name (UTF-16 code units, as {@link String#compareTo}), strings escaped as
 * RFC 8785 does ({@code \"}, {@code \\}, {@code \b \f \n \r \t}, other control characters as
 * {@code \}{@code u00xx}, everything else as UTF-8), integers in plain decimal, other numbers as the
 * shortest plain decimal ({@code 1.50} and {@code 1.5E0} are both {@code 1.5}).
 */
public final class Canonical {

    private Canonical() {}

    public static void nul(Sink s) {
        s.ascii("null");
    }

    public static void bool(Sink s, boolean b) {
        s.ascii(b ? "true" : "false");
    }

    public static void string(Sink s, String v) {
        if (v == null) {
            nul(s);
        } else {
            s.jsonString(v);
        }
    }

    public static void uuid(Sink s, UUID u) {
        if (u == null) {
            nul(s);
            return;
        }
        s.put('"').uuidText(u).put('"');
    }

    public static void strings(Sink s, List<String> l) {
        if (l == null) {
            nul(s);
            return;
        }
        s.put('[');
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) {
                s.put(',');
            }
            string(s, l.get(i));
        }
        s.put(']');
    }

    /** A JSON value (a jsonb column), with sorted members and normalized numbers. */
    public static void json(Sink s, JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            nul(s);
        } else if (n.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(n.size());
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                fields.add(it.next());
            }
            fields.sort(Map.Entry.comparingByKey());
            s.put('{');
            for (int i = 0; i < fields.size(); i++) {
                if (i > 0) {
                    s.put(',');
                }
                string(s, fields.get(i).getKey());
                s.put(':');
                json(s, fields.get(i).getValue());
            }
            s.put('}');
        } else if (n.isArray()) {
            s.put('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    s.put(',');
                }
                json(s, n.get(i));
            }
            s.put(']');
        } else if (n.isTextual()) {
            string(s, n.textValue());
        } else if (n.isBoolean()) {
            bool(s, n.booleanValue());
        } else if (n.isIntegralNumber()) {
            s.ascii(n.bigIntegerValue().toString());
        } else if (n.isNumber()) {
            s.ascii(number(n));
        } else {
            // binary or POJO nodes never come out of our own trees; store their text form
            string(s, n.asText());
        }
    }

    private static String number(JsonNode n) {
        double d = n.doubleValue();
        if (n.isFloatingPointNumber() && !n.isBigDecimal() && (Double.isNaN(d) || Double.isInfinite(d))) {
            return "null"; // JSON has no NaN or infinity; jsonb would refuse them
        }
        BigDecimal b = n.isBigDecimal() ? n.decimalValue() : new BigDecimal(n.asText());
        return b.signum() == 0 ? "0" : b.stripTrailingZeros().toPlainString();
    }
}
