package glint.notify;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where two normalised messages differ: the same keys at every level, the same JSON types (null is a type), equal
 * values (ids and times are placeholders by then). Paths are {@code /}-separated keys ({@code /body/oslo.message/…});
 * {@code ignored} paths are left out, with all below them.
 */
final class JsonDiff {
    private JsonDiff() {}

    static List<String> between(JsonNode glance, JsonNode glint, Set<String> ignored) {
        List<String> out = new ArrayList<>();
        walk("", glance, glint, ignored, out);
        return out;
    }

    private static void walk(String path, JsonNode a, JsonNode b, Set<String> ignored, List<String> out) {
        if (ignored.contains(path)) {
            return;
        }
        if (a.getNodeType() != b.getNodeType()) {
            out.add(path + ": Glance " + a.getNodeType() + " " + a + ", Glint " + b.getNodeType() + " " + b);
            return;
        }
        if (a.isObject()) {
            Set<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                String p = path + "/" + k;
                if (ignored.contains(p)) {
                    continue;
                }
                if (!a.has(k) || !b.has(k)) {
                    out.add(p + ": only in " + (a.has(k) ? "Glance (" + a.get(k) + ")" : "Glint (" + b.get(k) + ")"));
                } else {
                    walk(p, a.get(k), b.get(k), ignored, out);
                }
            }
        } else if (a.isArray()) {
            if (a.size() != b.size()) {
                out.add(path + ": Glance " + a + ", Glint " + b);
                return;
            }
            Iterator<JsonNode> ia = a.elements();
            Iterator<JsonNode> ib = b.elements();
            for (int i = 0; ia.hasNext(); i++) {
                walk(path + "/" + i, ia.next(), ib.next(), ignored, out);
            }
        } else if (!a.equals(b)) {
            out.add(path + ": Glance " + a + ", Glint " + b);
        }
    }
}
