package io.pinhole.identity;

/**
 * Every Redis and memcached key svc-identity reads or writes (DESIGN.md: one class per service). The {@code v1}
 * in each name is the format version: change it whenever the stored bytes change, so that old entries are never
 * read with the new format.
 */
final class IdentityKeys {

    private IdentityKeys() {}

    /** Redis string: a live session, keyed by the SHA-256 of its token (never the token). Value: the user ID. */
    static String session(String tokenHash) {
        return "session:v1:" + tokenHash;
    }

    /** Redis set: the token hashes of a user's sessions, for "log out everywhere". */
    static String userSessions(long userId) {
        return "user-sessions:v1:" + userId;
    }

    /** Redis counter: failed logins for one username in the current window. */
    static String loginFailuresForUsername(String username) {
        return "login-failures:v1:username:" + username;
    }

    /** Redis counter: failed logins from one client address (IPv6: its /64) in the current window. */
    static String loginFailuresForAddress(String address) {
        return "login-failures:v1:address:" + address;
    }

    /** Redis counter: sign-ups from one client address in the current window. */
    static String signUpsForAddress(String address) {
        return "sign-ups:v1:address:" + address;
    }

    /** memcached: a {@code pinhole.identity.v1.User} as protobuf bytes. */
    static String user(long userId) {
        return "user:v1:" + userId;
    }

    /** memcached: the user ID (8 bytes, big-endian) of a lower-cased username. */
    static String username(String username) {
        return "username:v1:" + username;
    }

    /** memcached: the IDs (8 bytes each, big-endian) of the users who block a user; empty when none. */
    static String blockers(long userId) {
        return "blockers:v1:" + userId;
    }
}
