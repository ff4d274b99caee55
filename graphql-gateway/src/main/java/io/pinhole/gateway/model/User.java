package io.pinhole.gateway.model;

/**
 * The GraphQL {@code User} as far as svc-identity's user record fills it; the other fields of the type have their
 * own data fetchers.
 *
 * @param id the decimal string of the 64-bit user ID
 * @param fullName null when not set (identity sends empty strings for unset fields; so do bio, website, avatarUrl)
 */
public record User(String id, String username, String fullName, String bio, String website, String avatarUrl,
                   boolean isPrivate, int followerCount, int followingCount, int mediaCount) {
}
