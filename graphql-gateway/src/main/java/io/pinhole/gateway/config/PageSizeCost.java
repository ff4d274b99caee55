package io.pinhole.gateway.config;

import graphql.analysis.FieldComplexityCalculator;
import graphql.analysis.FieldComplexityEnvironment;
import io.pinhole.gateway.schema.Arguments;

/**
 * The cost of one field for {@code MaxQueryComplexityInstrumentation}: 1, plus what it selects, times the page size
 * when the field takes a {@code first} argument (a connection or a list such as {@code searchUsers}). So
 * {@code feed(first: 50) { edges { node { likers(first: 50) { … } } } }} costs what it can make the services
 * return, not the number of fields written. The page size is {@code first} as sent (variables included), the
 * default page when left out, and at most {@link Arguments#MAX_FIRST}: a larger {@code first} is refused by the
 * field itself, and counting it whole would only replace that precise error with a cost error.
 */
final class PageSizeCost implements FieldComplexityCalculator {

    private final int ceiling;

    /**
     * @param maxCost the limit; no field is counted above {@code maxCost + 1}, which is refused anyway, so that
     *        sums of siblings never overflow (nested pages multiply: 50^6 is beyond an int)
     */
    PageSizeCost(int maxCost) {
        this.ceiling = maxCost + 1;
    }

    @Override
    public int calculate(FieldComplexityEnvironment environment, int childComplexity) {
        final long cost = environment.getFieldDefinition().getArgument("first") == null
                          ? 1L + childComplexity
                          : 1L + (long) pageSize(environment.getArguments().get("first")) * childComplexity;
        return (int) Math.min(ceiling, cost);
    }

    private static int pageSize(Object first) {
        if (first instanceof Number number) {
            return (int) Math.max(1, Math.min(Arguments.MAX_FIRST, number.longValue()));
        }
        return Arguments.DEFAULT_FIRST;
    }
}
