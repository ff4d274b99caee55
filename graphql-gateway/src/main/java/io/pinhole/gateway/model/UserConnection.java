package io.pinhole.gateway.model;

import java.util.List;

/**
 * One page of a GraphQL {@code UserConnection} as a list RPC answered it: user IDs, not yet users. Its
 * {@code edges} are hydrated by a data fetcher through the users DataLoader, so that every connection at one level
 * of a query shares one GetUsers call.
 *
 * @param userIds the page's user IDs in the service's order
 * @param cursor the cursor every edge of this page carries: the service's next-page cursor ("" on the last page;
 *        identity's cursors mark pages, not items — README.md, "Connections")
 */
public record UserConnection(List<Long> userIds, String cursor, PageInfo pageInfo) {

    public UserConnection {
        userIds = List.copyOf(userIds);
    }
}
