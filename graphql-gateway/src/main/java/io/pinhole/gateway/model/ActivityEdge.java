package io.pinhole.gateway.model;

/** The GraphQL {@code ActivityEdge}. */
public record ActivityEdge(String cursor, Activity node) {
}
