package glint.api;

import glint.health.HealthReport;
import glint.health.HealthResult;
import glint.health.ProcessDetails;
import java.util.List;

/** oslo.middleware's {@code HTML_RESPONSE_TEMPLATE} for the healthcheck: the results' table, and details when asked. */
final class HealthcheckHtml {
    private HealthcheckHtml() {}

    static String render(HealthReport report, ProcessDetails details) {
        boolean detailed = details != null;
        StringBuilder b = new StringBuilder("<HTML>\n<HEAD><TITLE>Healthcheck Status</TITLE></HEAD>\n<BODY>\n");
        if (detailed) {
            b.append("<H1>Server status</H1>\n");
            b.append("<B>Current time:</B><PRE>").append(escape(details.now())).append("</PRE>\n");
            b.append("<B>Python version:</B><PRE>").append(escape(details.runtimeVersion())).append("</PRE>\n");
            b.append("<B>Platform:</B><PRE>").append(escape(details.platform())).append("</PRE>\n<HR></HR>\n");
            b.append("<H2>Garbage collector:</H2>\n");
            b.append("<B>Counts:</B><PRE>").append(escape(details.collectors() + " " + details.collections()))
                    .append("</PRE>\n<B>Thresholds:</B><PRE>()</PRE>\n<HR></HR>\n");
        }
        List<HealthResult> results = report.results();
        b.append("<H2>Result of ").append(results.size()).append(" checks:</H2>\n");
        b.append("<TABLE bgcolor=\"#ffffff\" border=\"1\">\n<TBODY>\n<TR>\n");
        b.append(detailed ? "<TH>\nKind\n</TH>\n<TH>\nReason\n</TH>\n<TH>\nDetails\n</TH>\n" : "<TH>\nReason\n</TH>\n");
        b.append("</TR>\n");
        for (HealthResult r : results) {
            if (r.reason() == null || r.reason().isEmpty()) {
                continue;
            }
            b.append("<TR>\n");
            if (detailed) {
                b.append("    <TD>HealthcheckResult</TD>\n");
            }
            b.append("    <TD>").append(escape(r.reason())).append("</TD>\n");
            if (detailed) {
                b.append("    <TD>").append(escape(r.details() == null ? "" : r.details())).append("</TD>\n");
            }
            b.append("</TR>\n");
        }
        b.append("</TBODY>\n</TABLE>\n<HR></HR>\n");
        if (detailed && !details.threads().isEmpty()) {
            b.append("<H2>").append(details.threads().size()).append(" thread(s) active:</H2>\n");
            b.append("<TABLE bgcolor=\"#ffffff\" border=\"1\">\n<TBODY>\n");
            for (String stack : details.threads()) {
                b.append("<TR>\n    <TD><PRE>").append(escape(stack)).append("</PRE></TD>\n</TR>\n");
            }
            b.append("</TBODY>\n</TABLE>\n");
        }
        return b.append("</BODY>\n</HTML>").toString();
    }

    /** Jinja's {@code |e}. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&#34;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
