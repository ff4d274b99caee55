package io.pinhole.gateway.config;

import io.pinhole.platform.config.Env;

/**
 * How big a GraphQL request may be, read once at start-up from {@code PINHOLE_GATEWAY_*} variables (README.md,
 * "Limits"). Every limit refuses the request before any field runs, with BAD_USER_INPUT.
 *
 * @param maxDepth the deepest selection a query may nest; GraphiQL's introspection query needs 13
 * @param maxCost the most a query may cost: 1 per field, a field with a {@code first} argument multiplies the cost
 *        of what it selects by its page size ({@link PageSizeCost}); GraphiQL's introspection query costs 58
 * @param maxAliases the most aliases a document may hold (aliases let one request repeat a costly field)
 * @param maxOperations the most operation definitions one document may hold (GraphiQL sends a whole tab, with
 *        every operation in it, and names the one to run)
 * @param maxBodyBytes the largest JSON body a POST may carry; uploads have their own limits (multipart)
 * @param apqCacheChars how much query text the automatic persisted query cache holds, in characters
 */
public record RequestLimits(int maxDepth, int maxCost, int maxAliases, int maxOperations, int maxBodyBytes,
                            long apqCacheChars) {

    public RequestLimits {
        positive(maxDepth, "maxDepth");
        positive(maxCost, "maxCost");
        positive(maxAliases, "maxAliases");
        positive(maxOperations, "maxOperations");
        positive(maxBodyBytes, "maxBodyBytes");
        positive(apqCacheChars, "apqCacheChars");
    }

    public static RequestLimits from(Env env) {
        return new RequestLimits(
                env.integer("PINHOLE_GATEWAY_MAX_QUERY_DEPTH", 15),
                // A feed page of 50 with images, owners, counts, likers(first: 3) and comments(first: 2) costs about 2,200;
                // three nested pages of 50 (125,000 objects) cost far more than this.
                env.integer("PINHOLE_GATEWAY_MAX_QUERY_COMPLEXITY", 3000),
                env.integer("PINHOLE_GATEWAY_MAX_ALIASES", 30),
                env.integer("PINHOLE_GATEWAY_MAX_OPERATIONS", 10),
                env.integer("PINHOLE_GATEWAY_MAX_REQUEST_BYTES", 64 * 1024),
                env.integer("PINHOLE_GATEWAY_APQ_CACHE_CHARS", 16 * 1024 * 1024));
    }

    private static void positive(long value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
