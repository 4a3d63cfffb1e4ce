package glint.notify.messaging;

import com.rabbitmq.client.Address;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * oslo.messaging's {@code transport_url} for RabbitMQ: {@code rabbit://user:pass@host:port[,user:pass@host2:port]/vhost}
 * (oslo_messaging/transport.py {@code TransportURL.parse}). Several hosts are tried in turn, as kombu's failover;
 * their credentials are the first host's. No vhost ({@code …:5672/}) is RabbitMQ's default vhost {@code /}. Query
 * options are ignored.
 */
public record TransportUrl(List<Address> hosts, String user, String password, String virtualHost) {
    static final int DEFAULT_PORT = 5672;

    public static TransportUrl parse(String url) {
        int sep = url.indexOf("://");
        String scheme = sep < 0 ? "" : url.substring(0, sep);
        if (!scheme.equals("rabbit") && !scheme.equals("kombu")) {
            throw new IllegalArgumentException("transport_url: only rabbit:// (RabbitMQ) is supported, not '" + redacted(url) + "'");
        }
        String rest = url.substring(sep + 3);
        int query = rest.indexOf('?');
        if (query >= 0) {
            rest = rest.substring(0, query);
        }
        int slash = rest.indexOf('/');
        String vhost = slash < 0 ? "" : decode(rest.substring(slash + 1));
        String netloc = slash < 0 ? rest : rest.substring(0, slash);
        List<Address> hosts = new ArrayList<>();
        String user = "guest";
        String password = "guest";
        boolean first = true;
        for (String entry : netloc.split(",")) {
            int at = entry.lastIndexOf('@');
            if (at >= 0 && first) {
                String credentials = entry.substring(0, at);
                int colon = credentials.indexOf(':');
                user = decode(colon < 0 ? credentials : credentials.substring(0, colon));
                password = colon < 0 ? "" : decode(credentials.substring(colon + 1));
            }
            hosts.add(address(at < 0 ? entry : entry.substring(at + 1), url));
            first = false;
        }
        return new TransportUrl(List.copyOf(hosts), user, password, vhost.isEmpty() ? "/" : vhost);
    }

    private static Address address(String hostPort, String url) {
        String host = hostPort;
        int port = DEFAULT_PORT;
        int colon = hostPort.lastIndexOf(':');
        if (colon >= 0 && !hostPort.endsWith("]")) {
            host = hostPort.substring(0, colon);
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("transport_url: bad port in '" + redacted(url) + "'");
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = "localhost";
        }
        return new Address(host, port);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URL without its password, for messages and logs. */
    public static String redacted(String url) {
        return url.replaceAll("(://[^:/@,]*:)[^@/]*@", "$1***@").replaceAll("(,[^:/@,]*:)[^@/]*@", "$1***@");
    }

    /** {@code host:port,…/vhost}, for logs. */
    public String describe() {
        return String.join(",", hosts.stream().map(a -> a.getHost() + ":" + a.getPort()).toList())
                + (virtualHost.equals("/") ? "/" : "/" + virtualHost);
    }
}
