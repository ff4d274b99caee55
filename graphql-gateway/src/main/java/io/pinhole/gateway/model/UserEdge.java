package io.pinhole.gateway.model;

/** The GraphQL {@code UserEdge}. */
public record UserEdge(String cursor, User node) {
}
