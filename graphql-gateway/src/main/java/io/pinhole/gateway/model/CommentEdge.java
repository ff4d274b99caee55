package io.pinhole.gateway.model;

/** The GraphQL {@code CommentEdge}. */
public record CommentEdge(String cursor, Comment node) {
}
