package io.pinhole.gateway.model;

import java.util.List;

/** The GraphQL {@code CommentConnection}: svc-media answers comments whole, so the edges are ready. */
public record CommentConnection(List<CommentEdge> edges, PageInfo pageInfo) {

    public CommentConnection {
        edges = List.copyOf(edges);
    }

    /** A page of {@code comments}; every edge carries the page's {@code nextCursor} (as every connection here). */
    public static CommentConnection of(List<Comment> comments, String nextCursor) {
        return new CommentConnection(comments.stream().map(comment -> new CommentEdge(nextCursor, comment)).toList(),
                                     PageInfo.ofNextCursor(nextCursor));
    }
}
