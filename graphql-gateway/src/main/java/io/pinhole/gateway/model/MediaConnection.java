package io.pinhole.gateway.model;

import java.util.List;

/**
 * One page of a GraphQL {@code MediaConnection} as a list RPC answered it: media IDs, not yet media. Its
 * {@code edges} are hydrated through the media DataLoader, so that every connection at one level of a query shares
 * one GetMedia call (feed and popular pages come hydrated and prime that loader instead).
 *
 * @param cursor the cursor every edge of this page carries: the service's next-page cursor ("" on the last page)
 */
public record MediaConnection(List<Long> mediaIds, String cursor, PageInfo pageInfo) {

    public MediaConnection {
        mediaIds = List.copyOf(mediaIds);
    }

    /** A page from a list RPC's IDs and its {@code next_cursor}. */
    public static MediaConnection of(List<Long> mediaIds, String nextCursor) {
        return new MediaConnection(mediaIds, nextCursor, PageInfo.ofNextCursor(nextCursor));
    }
}
