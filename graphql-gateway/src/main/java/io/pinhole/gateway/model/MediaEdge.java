package io.pinhole.gateway.model;

/** The GraphQL {@code MediaEdge}. */
public record MediaEdge(String cursor, Media node) {
}
