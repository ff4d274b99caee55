package io.pinhole.notify;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which callback URLs the service may call (SSRF). A URL must be http or https with a host, and every address the
 * host resolves to must be public: loopback, link-local (cloud metadata lives at 169.254.169.254), private (RFC 1918,
 * IPv6 unique-local), carrier-grade NAT, unspecified and multicast addresses are refused, IPv4-mapped IPv6 included.
 * {@code allowPrivate} (local development) lets loopback and private addresses through, never link-local.
 *
 * <p>Checked when a subscription is created and again before every delivery (DNS may change); redirects are never
 * followed. What remains is the short window between this check and the HTTP client's own resolution.
 */
final class CallbackUrls {

    private CallbackUrls() {}

    /** The URL, or the reason it is refused. */
    record Verdict(URI uri, String refusal) {
        boolean allowed() {
            return refusal == null;
        }
    }

    static Verdict check(String url, boolean allowPrivate) {
        final URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return new Verdict(null, "is not a URL");
        }
        final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return new Verdict(null, "must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            return new Verdict(null, "must name a host (and no user info)");
        }
        final InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            return new Verdict(null, "host does not resolve");
        }
        for (InetAddress address : addresses) {
            final String refusal = refusal(address, allowPrivate);
            if (refusal != null) {
                return new Verdict(null, "resolves to a " + refusal + " address");
            }
        }
        return new Verdict(uri, null);
    }

    private static String refusal(InetAddress address, boolean allowPrivate) {
        final InetAddress effective = unmapped(address);
        if (effective.isLinkLocalAddress()) {
            return "link-local";
        }
        if (effective.isAnyLocalAddress() || effective.isMulticastAddress()) {
            return "non-unicast";
        }
        if (allowPrivate) {
            return null;
        }
        if (effective.isLoopbackAddress()) {
            return "loopback";
        }
        if (effective.isSiteLocalAddress()) {
            return "private";
        }
        final byte[] bytes = effective.getAddress();
        if (effective instanceof Inet4Address) {
            final int first = bytes[0] & 0xff;
            final int second = bytes[1] & 0xff;
            if (first == 0 || first == 100 && second >= 64 && second < 128 || first == 198 && (second == 18 || second == 19)) {
                return "private";
            }
        } else if (effective instanceof Inet6Address && (bytes[0] & 0xfe) == 0xfc) {
            return "private"; // fc00::/7 unique-local
        }
        return null;
    }

    /** {@code ::ffff:a.b.c.d} as {@code a.b.c.d}, so a mapped loopback is seen as loopback. */
    private static InetAddress unmapped(InetAddress address) {
        final byte[] bytes = address.getAddress();
        if (bytes.length == 16) {
            boolean mapped = bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = bytes[i] == 0;
            }
            if (mapped) {
                try {
                    return InetAddress.getByAddress(new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]});
                } catch (UnknownHostException e) {
                    return address;
                }
            }
        }
        return address;
    }
}
