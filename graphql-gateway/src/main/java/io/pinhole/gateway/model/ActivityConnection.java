package io.pinhole.gateway.model;

import java.util.List;

/** The GraphQL {@code ActivityConnection}. */
public record ActivityConnection(List<ActivityEdge> edges, PageInfo pageInfo) {

    public ActivityConnection {
        edges = List.copyOf(edges);
    }

    /** A page of {@code items}; every edge carries the page's {@code nextCursor}. */
    public static ActivityConnection of(List<Activity> items, String nextCursor) {
        return new ActivityConnection(items.stream().map(item -> new ActivityEdge(nextCursor, item)).toList(),
                                      PageInfo.ofNextCursor(nextCursor));
    }
}
