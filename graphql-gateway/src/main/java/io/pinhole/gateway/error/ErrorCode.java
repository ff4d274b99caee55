package io.pinhole.gateway.error;

import org.springframework.graphql.execution.ErrorType;

/**
 * The fixed list of {@code extensions.code} values a client can see (DESIGN.md). Clients branch on these, so a new
 * code is a contract change.
 */
public enum ErrorCode {
    /** No valid session: the token is missing where one is needed, malformed, unknown or expired. */
    UNAUTHENTICATED(ErrorType.UNAUTHORIZED),
    /** Signed in, but not allowed (a private account, a block, someone else's photo). */
    FORBIDDEN(ErrorType.FORBIDDEN),
    /** The request is wrong; {@code extensions.fields} names the offending fields when known. */
    BAD_USER_INPUT(ErrorType.BAD_REQUEST),
    NOT_FOUND(ErrorType.NOT_FOUND),
    /** Already exists (a taken username or email). */
    CONFLICT(ErrorType.BAD_REQUEST),
    /** Too many requests; {@code extensions.retryAfterSeconds} says when to try again when known. */
    RATE_LIMITED(ErrorType.BAD_REQUEST),
    /** A service behind the gateway is down, overloaded, too slow or not built yet: retry later. */
    UNAVAILABLE(ErrorType.INTERNAL_ERROR),
    /** A bug in Pinhole; the message says nothing more, the gateway's log has the details. */
    INTERNAL(ErrorType.INTERNAL_ERROR),
    /**
     * Automatic persisted queries (Apollo's protocol): the gateway does not know the {@code sha256Hash} sent without
     * a query; send the hash again with the query. The message is {@code PersistedQueryNotFound}, as Apollo's
     * clients expect.
     */
    PERSISTED_QUERY_NOT_FOUND(ErrorType.BAD_REQUEST);

    private final ErrorType errorType;

    ErrorCode(ErrorType errorType) {
        this.errorType = errorType;
    }

    /** The GraphQL-Java classification that goes with the code ({@code extensions.classification}). */
    public ErrorType errorType() {
        return errorType;
    }
}
