package io.finsent.common;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Decides whether an outbound URL may be called (a webhook, a feed), so that whoever sets the URL cannot point
 * finsent at its own network (SSRF). The one owner of the address rules: notify checks each webhook, ingest each
 * feed and each of its redirects. By default it refuses anything but {@code http}/{@code https}, URLs with user info,
 * and every target whose address, or any one of the addresses its name resolves to, is loopback,
 * private (RFC 1918, CGNAT 100.64/10, fc00::/7), link-local (169.254/16 with the cloud metadata
 * endpoint, fe80::/10), unspecified, multicast or reserved, including the same ranges embedded in
 * IPv6 (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16). Numeric hosts that are not
 * a plain dotted quad ({@code 2130706433}, {@code 127.1}, {@code 0x7f.0.0.1}) are refused rather than
 * interpreted.
 *
 * <p>{@link Builder#allowPrivateTargets(boolean)} lets loopback, private and CGNAT targets through (tests,
 * on-premises receivers); link-local, unspecified, multicast and reserved stay refused unless an explicit
 * {@link Builder#allowCidr(String) allowed CIDR} covers the address.
 *
 * <p><b>Limitation, DNS rebinding:</b> {@link java.net.http.HttpClient} has no hook to connect to a given
 * address, and connecting to the IP literal instead would break TLS host name checks and needs the
 * restricted {@code Host} header, so the connection is <em>not</em> pinned to the addresses checked here:
 * the client resolves the name again. With the default resolver both lookups normally hit the same
 * entry of the JVM's positive DNS cache ({@code networkaddress.cache.ttl}, 30 s by default), which
 * narrows the window but does not close it: a name with a very short TTL could answer a public address
 * here and a private one to the client. Where that matters, also block private ranges at the network
 * (egress firewall or an egress proxy).
 */
public final class TargetPolicy {

    /** Resolves a host name to all of its addresses. The default is {@link InetAddress#getAllByName}. */
    @FunctionalInterface
    public interface HostResolver {
        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    /** The result of {@link #check(String)}. */
    public sealed interface Decision permits Allowed, Refused, Unresolved {
    }

    /** The URL may be called; {@code addresses} are the ones that were checked. */
    public record Allowed(URI uri, List<InetAddress> addresses) implements Decision {
        public Allowed {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * The URL must not be called; {@code reason} says why, without repeating the URL's path or query.
     *
     * @param privateNetwork refused only because its address is on a private network (loopback, RFC 1918, CGNAT, fc00::/7):
     *                       {@link Builder#allowPrivateTargets} would let it through
     */
    public record Refused(String reason, boolean privateNetwork) implements Decision {
        public Refused(String reason) {
            this(reason, false);
        }
    }

    /** The host name could not be resolved now; the check may succeed later. */
    public record Unresolved(String reason) implements Decision {
    }

    private static final HostResolver SYSTEM_RESOLVER = host -> List.of(InetAddress.getAllByName(host));

    private static final Pattern DOTTED_QUAD = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern NUMERIC_LABEL = Pattern.compile("\\d+|0x[0-9a-f]*");

    /** A range of addresses refused by default; {@code privateNetwork} ranges are let through by allowPrivateTargets. */
    private record BlockedRange(Cidr cidr, String name, boolean privateNetwork) {
    }

    private static final List<BlockedRange> BLOCKED = List.of(
            new BlockedRange(Cidr.parse("0.0.0.0/8"), "unspecified (0.0.0.0/8)", false),
            new BlockedRange(Cidr.parse("10.0.0.0/8"), "private (10.0.0.0/8)", true),
            new BlockedRange(Cidr.parse("100.64.0.0/10"), "carrier-grade NAT (100.64.0.0/10)", true),
            new BlockedRange(Cidr.parse("127.0.0.0/8"), "loopback (127.0.0.0/8)", true),
            new BlockedRange(Cidr.parse("169.254.0.0/16"), "link-local and cloud metadata (169.254.0.0/16)", false),
            new BlockedRange(Cidr.parse("172.16.0.0/12"), "private (172.16.0.0/12)", true),
            new BlockedRange(Cidr.parse("192.0.0.0/24"), "IETF protocol assignments (192.0.0.0/24)", false),
            new BlockedRange(Cidr.parse("192.168.0.0/16"), "private (192.168.0.0/16)", true),
            new BlockedRange(Cidr.parse("198.18.0.0/15"), "benchmarking (198.18.0.0/15)", true),
            new BlockedRange(Cidr.parse("224.0.0.0/4"), "multicast (224.0.0.0/4)", false),
            new BlockedRange(Cidr.parse("240.0.0.0/4"), "reserved and broadcast (240.0.0.0/4)", false),
            new BlockedRange(Cidr.parse("::/128"), "unspecified (::)", false),
            new BlockedRange(Cidr.parse("::1/128"), "loopback (::1)", true),
            new BlockedRange(Cidr.parse("fc00::/7"), "unique local (fc00::/7)", true),
            new BlockedRange(Cidr.parse("fe80::/10"), "link-local (fe80::/10)", false),
            new BlockedRange(Cidr.parse("fec0::/10"), "site-local (fec0::/10)", true),
            new BlockedRange(Cidr.parse("ff00::/8"), "multicast (ff00::/8)", false));

    private final HostResolver resolver;
    private final boolean allowPrivateTargets;
    private final boolean allowUserInfo;
    private final List<Cidr> allowedCidrs;

    private TargetPolicy(Builder builder) {
        this.resolver = builder.resolver;
        this.allowPrivateTargets = builder.allowPrivateTargets;
        this.allowUserInfo = builder.allowUserInfo;
        this.allowedCidrs = List.copyOf(builder.allowedCidrs);
    }

    /** The default policy: public http(s) targets only, names resolved by the JVM. */
    public static TargetPolicy strict() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code url} may be called now. Never throws for bad input: that is a {@link Refused}. */
    public Decision check(String url) {
        if (url == null || url.isBlank()) {
            return new Refused("the URL is empty");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            return new Refused("not a valid URL: " + e.getReason() + " at index " + e.getIndex());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return new Refused("scheme '" + scheme + "' is not allowed: use an https:// (or http://) URL");
        }
        if (uri.getRawUserInfo() != null && !allowUserInfo) {
            return new Refused("the URL contains user info (user:password@); receivers authenticate finsent by its signature");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return new Refused("the URL has no host name that can be checked (only letters, digits, '-' and '.' are accepted)");
        }
        List<InetAddress> addresses;
        if (host.startsWith("[")) {
            try {
                addresses = List.of(InetAddress.getByName(host.substring(1, host.length() - 1)));
            } catch (UnknownHostException | RuntimeException e) {
                return new Refused("host " + host + " is not a valid IPv6 address");
            }
        } else if (looksNumeric(host)) {
            if (!DOTTED_QUAD.matcher(host).matches()) {
                return new Refused("host " + host + " looks like an IP address but is not a plain dotted quad (a.b.c.d)");
            }
            try {
                addresses = List.of(InetAddress.getByName(host));
            } catch (UnknownHostException e) {
                return new Refused("host " + host + " is not a valid IPv4 address");
            }
        } else {
            try {
                addresses = resolver.resolve(host);
            } catch (UnknownHostException e) {
                return new Unresolved("could not resolve host " + host);
            } catch (RuntimeException e) {
                return new Unresolved("could not resolve host " + host + ": " + e.getClass().getSimpleName());
            }
            if (addresses == null || addresses.isEmpty()) {
                return new Unresolved("host " + host + " resolved to no address");
            }
        }
        for (InetAddress address : addresses) {
            Blocked refusal = refusal(address);
            if (refusal != null) {
                return new Refused("host " + host + " resolves to " + address.getHostAddress() + ", which is " + refusal.name()
                        + "; such targets are refused unless the policy allows them", refusal.privateNetwork());
            }
        }
        return new Allowed(uri, addresses);
    }

    /** Why an address is refused: the range's name, and whether it is a private network's. */
    private record Blocked(String name, boolean privateNetwork) {
    }

    /** Why this address is refused, or null when it may be called. */
    private Blocked refusal(InetAddress address) {
        byte[] bytes = address.getAddress();
        for (Cidr allowed : allowedCidrs) {
            if (allowed.contains(bytes)) {
                return null;
            }
        }
        byte[] embedded = embeddedIpv4(bytes);
        if (embedded != null) {
            for (Cidr allowed : allowedCidrs) {
                if (allowed.contains(embedded)) {
                    return null;
                }
            }
        }
        BlockedRange own = blockedRange(bytes);
        if (own != null) {
            return new Blocked(own.name(), own.privateNetwork());
        }
        if (embedded != null) {
            BlockedRange inner = blockedRange(embedded);
            if (inner != null) {
                return new Blocked("an IPv6 form of " + inner.name(), inner.privateNetwork());
            }
        }
        return null;
    }

    private BlockedRange blockedRange(byte[] address) {
        for (BlockedRange range : BLOCKED) {
            if (range.cidr().contains(address) && !(allowPrivateTargets && range.privateNetwork())) {
                return range;
            }
        }
        return null;
    }

    /** The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 address, else null. */
    static byte[] embeddedIpv4(byte[] address) {
        if (address.length != 16) {
            return null;
        }
        boolean firstTenZero = true;
        for (int i = 0; i < 10; i++) {
            firstTenZero &= address[i] == 0;
        }
        if (firstTenZero && address[10] == (byte) 0xff && address[11] == (byte) 0xff) {
            return Arrays.copyOfRange(address, 12, 16);
        }
        // IPv4-compatible ::a.b.c.d; :: and ::1 are ranges of their own, not 0.0.0.0 and 0.0.0.1
        if (firstTenZero && address[10] == 0 && address[11] == 0 && address[12] != 0) {
            return Arrays.copyOfRange(address, 12, 16);
        }
        byte[] nat64 = {0x00, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
        if (Arrays.equals(address, 0, 12, nat64, 0, 12)) {
            return Arrays.copyOfRange(address, 12, 16);
        }
        if (address[0] == 0x20 && address[1] == 0x02) {
            return Arrays.copyOfRange(address, 2, 6);
        }
        return null;
    }

    private static boolean looksNumeric(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        String last = h.substring(h.lastIndexOf('.') + 1);
        return NUMERIC_LABEL.matcher(last).matches();
    }

    /** Builds a {@link TargetPolicy}; every setting starts strict. */
    public static final class Builder {
        private HostResolver resolver = SYSTEM_RESOLVER;
        private boolean allowPrivateTargets;
        private boolean allowUserInfo;
        private final List<Cidr> allowedCidrs = new ArrayList<>();

        private Builder() {
        }

        /** How host names are resolved; tests map names to fixed addresses. */
        public Builder resolver(HostResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /** Lets loopback, private (RFC 1918, fc00::/7) and CGNAT targets through; for tests and on-premises receivers. */
        public Builder allowPrivateTargets(boolean allow) {
            this.allowPrivateTargets = allow;
            return this;
        }

        /** Lets URLs with user info ({@code user:password@host}) through: feeds behind basic authentication. Webhooks never need it. */
        public Builder allowUserInfo(boolean allow) {
            this.allowUserInfo = allow;
            return this;
        }

        /**
         * Lets every address in {@code cidr} (e.g. {@code 10.20.0.0/16}, {@code fd00:1::/64}) through, whatever its range.
         *
         * @throws IllegalArgumentException when {@code cidr} is not an address literal with a prefix length
         */
        public Builder allowCidr(String cidr) {
            allowedCidrs.add(Cidr.parse(cidr));
            return this;
        }

        public TargetPolicy build() {
            return new TargetPolicy(this);
        }
    }

    /** An address block: the network's bytes and a prefix length. */
    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String text) {
            String t = Objects.requireNonNull(text, "cidr").strip();
            int slash = t.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("CIDR '" + t + "' needs a prefix length, e.g. 10.20.0.0/16");
            }
            String literal = t.substring(0, slash);
            boolean v6 = literal.contains(":");
            if (!v6 && !DOTTED_QUAD.matcher(literal).matches()) {
                throw new IllegalArgumentException("CIDR '" + t + "' does not start with an IPv4 or IPv6 address");
            }
            byte[] network;
            try {
                InetAddress address = InetAddress.getByName(literal);
                network = v6 && address instanceof Inet4Address
                        ? mapped(address.getAddress()) : address.getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("CIDR '" + t + "' does not start with an IPv4 or IPv6 address", e);
            }
            int prefix;
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("CIDR '" + t + "' has no numeric prefix length", e);
            }
            if (prefix < 0 || prefix > network.length * 8) {
                throw new IllegalArgumentException("CIDR '" + t + "' has a prefix length outside 0.." + network.length * 8);
            }
            return new Cidr(network, prefix);
        }

        private static byte[] mapped(byte[] v4) {
            byte[] v6 = new byte[16];
            v6[10] = (byte) 0xff;
            v6[11] = (byte) 0xff;
            System.arraycopy(v4, 0, v6, 12, 4);
            return v6;
        }

        /** Whether {@code address} (4 or 16 bytes) lies in this block; an IPv4 block also covers IPv4-mapped IPv6. */
        boolean contains(byte[] address) {
            byte[] a = address;
            if (network.length == 4 && a.length == 16 && isMapped(a)) {
                a = Arrays.copyOfRange(a, 12, 16);
            }
            if (a.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }

        private static boolean isMapped(byte[] a) {
            for (int i = 0; i < 10; i++) {
                if (a[i] != 0) {
                    return false;
                }
            }
            return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(network) + prefix;
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
