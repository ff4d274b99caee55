package io.pinhole.identity;

import com.google.common.net.InetAddresses;
import io.pinhole.platform.error.PinholeException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** The rules for what users type into their account (the limits are in identity.proto). */
final class AccountRules {

    static final Pattern USERNAME = Pattern.compile("[a-z0-9._]{1,30}");
    // Deliberately loose (one @, a dot in the domain, no spaces): the mailbox itself is the only real check.
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    static final int MAX_EMAIL = 254;
    static final int MIN_PASSWORD = 8;
    static final int MAX_PASSWORD = 256;
    static final int MAX_FULL_NAME = 64;
    static final int MAX_BIO = 150;
    static final int MAX_WEBSITE = 200;

    private AccountRules() {}

    /** The stored form of a username: lower case; empty when it is not well-formed. */
    static Optional<String> username(String typed) {
        final String lower = typed.toLowerCase(Locale.ROOT);
        return USERNAME.matcher(lower).matches() ? Optional.of(lower) : Optional.empty();
    }

    static boolean isEmail(String email) {
        return email.length() <= MAX_EMAIL && EMAIL.matcher(email).matches();
    }

    static int length(String text) {
        return text.codePointCount(0, text.length());
    }

    static boolean isPassword(String password) {
        return length(password) >= MIN_PASSWORD && length(password) <= MAX_PASSWORD;
    }

    /** Display text: within {@code max} code points and free of control characters (newlines allowed in bios). */
    static boolean isDisplayText(String text, int max, boolean multiline) {
        return length(text) <= max
               && text.codePoints().noneMatch(c -> Character.isISOControl(c) && !(multiline && c == '\n'));
    }

    static boolean isWebsite(String url) {
        if (url.isEmpty()) {
            return true;
        }
        if (url.length() > MAX_WEBSITE) {
            return false;
        }
        try {
            final URI uri = new URI(url);
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                   && uri.getHost() != null && !uri.getHost().isEmpty();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /**
     * The rate-limit subject of a client address: the address itself for IPv4, its /64 for IPv6 (one host usually
     * owns a whole /64). Empty for an empty address; INVALID_ARGUMENT for text that is not an IP address.
     */
    static Optional<String> clientSubject(String clientAddress) {
        if (clientAddress.isEmpty()) {
            return Optional.empty();
        }
        if (!InetAddresses.isInetAddress(clientAddress)) {
            throw PinholeException.invalidArgument("client_address", "must be an IPv4 or IPv6 address");
        }
        final InetAddress address = InetAddresses.forString(clientAddress);
        if (address instanceof Inet6Address) {
            final byte[] bytes = address.getAddress();
            java.util.Arrays.fill(bytes, 8, 16, (byte) 0);
            try {
                return Optional.of(InetAddresses.toAddrString(InetAddress.getByAddress(bytes)) + "/64");
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException("16 bytes are always an IPv6 address", e);
            }
        }
        return Optional.of(InetAddresses.toAddrString(address));
    }
}
