package glint.http;

/** Enough of RFC 7231 content negotiation to pick among a server's offers the way webob's {@code acceptable_offers} does. */
public final class AcceptHeader {
    private AcceptHeader() {}

    /** The best offer, or {@code "text/plain"} when the header accepts none of them. No header accepts everything. */
    public static String preferred(String accept, String... offers) {
        if (accept == null || accept.isBlank()) {
            return offers[0];
        }
        String best = null;
        double bestQ = 0;
        for (String offer : offers) {
            double q = quality(accept, offer);
            if (q > bestQ) {
                best = offer;
                bestQ = q;
            }
        }
        return best == null ? "text/plain" : best;
    }

    private static double quality(String accept, String offer) {
        double result = 0;
        int bestSpecificity = -1;
        for (String range : accept.split(",")) {
            String[] parts = range.strip().split(";");
            String type = parts[0].strip().toLowerCase();
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            int specificity;
            if (type.equals(offer)) {
                specificity = 2;
            } else if (type.endsWith("/*") && offer.startsWith(type.substring(0, type.length() - 1))) {
                specificity = 1;
            } else if (type.equals("*/*") || type.equals("*")) {
                specificity = 0;
            } else {
                continue;
            }
            if (specificity > bestSpecificity) {
                bestSpecificity = specificity;
                result = q;
            }
        }
        return result;
    }
}
