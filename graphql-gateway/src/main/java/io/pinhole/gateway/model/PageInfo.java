package io.pinhole.gateway.model;

/**
 * The GraphQL {@code PageInfo} of a Relay connection.
 *
 * @param endCursor the cursor to pass as {@code after} for the next page; null when there is none
 */
public record PageInfo(boolean hasNextPage, String endCursor) {

    /** From a service's {@code PageResponse.next_cursor}: empty means there is no next page. */
    public static PageInfo ofNextCursor(String nextCursor) {
        return nextCursor.isEmpty() ? new PageInfo(false, null) : new PageInfo(true, nextCursor);
    }
}
