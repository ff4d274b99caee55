package io.pinhole.gateway.model;

/**
 * The GraphQL {@code AuthPayload}: a new session of {@code user}.
 *
 * @param token the session token, sent back as {@code Authorization: Bearer <token>}
 */
public record AuthPayload(String token, User user) {
}
