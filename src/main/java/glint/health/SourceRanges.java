package glint.health;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * oslo.middleware's {@code allowed_source_ranges}: networks in CIDR notation ({@code 10.0.0.0/8}, {@code ::1/128}, or a
 * bare address); a request from outside all of them is not answered by the healthcheck. Empty: everyone.
 */
public final class SourceRanges {
    private record Network(byte[] address, int prefix) {
        boolean contains(byte[] candidate) {
            if (candidate.length != address.length) {
                return false; // oslo compares versions first: an IPv4 client never matches an IPv6 range
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (candidate[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (candidate[full] & mask) == (address[full] & mask);
        }
    }

    private final List<Network> networks;

    private SourceRanges(List<Network> networks) {
        this.networks = networks;
    }

    /** @throws IllegalArgumentException naming the first range that is not a network */
    public static SourceRanges of(List<String> ranges) {
        return new SourceRanges(ranges.stream().map(SourceRanges::parse).toList());
    }

    public boolean allowsEveryone() {
        return networks.isEmpty();
    }

    /** Whether {@code address} (the client's, as the socket says) is in one of the ranges, or there are none. */
    public boolean allows(InetAddress address) {
        if (networks.isEmpty()) {
            return true;
        }
        byte[] bytes = address == null ? new byte[0] : address.getAddress();
        return networks.stream().anyMatch(n -> n.contains(bytes));
    }

    private static Network parse(String range) {
        String r = range.strip();
        int slash = r.indexOf('/');
        String host = slash < 0 ? r : r.substring(0, slash);
        if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("[healthcheck] allowed_source_ranges: not a network: '" + range + "'");
        }
        byte[] address;
        try {
            address = InetAddress.getByName(host).getAddress(); // a literal: no name look-up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("[healthcheck] allowed_source_ranges: not a network: '" + range + "'");
        }
        int prefix;
        try {
            prefix = slash < 0 ? address.length * 8 : Integer.parseInt(r.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > address.length * 8) {
            throw new IllegalArgumentException("[healthcheck] allowed_source_ranges: bad prefix length in '" + range + "'");
        }
        return new Network(address, prefix);
    }
}
