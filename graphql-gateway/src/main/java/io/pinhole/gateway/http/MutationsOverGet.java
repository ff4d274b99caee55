package io.pinhole.gateway.http;

import graphql.ExecutionInput;
import graphql.GraphQLContext;
import graphql.execution.AbortExecutionException;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.language.OperationDefinition;
import graphql.ExecutionResult;

/**
 * GraphQL over HTTP: a GET request runs queries only. The operation a GET asks for is known only once the document
 * is parsed, and for an automatic persisted query sent by hash only once it is found in the cache, so the check
 * runs here, just before execution, for every request that {@link GraphQlGetHandler} marked as a GET. A refused
 * request runs nothing; the handler answers it 405 with {@code Allow: POST}.
 */
final class MutationsOverGet extends SimplePerformantInstrumentation {

    /** GraphQL context key: true for a request that came as a GET. */
    static final String GET_REQUEST = MutationsOverGet.class.getName() + ".getRequest";
    /** GraphQL context key: true once a GET request's operation was refused. */
    private static final String REFUSED = MutationsOverGet.class.getName() + ".refused";

    static final String MESSAGE = "only queries may be sent with GET: send mutations with POST";

    @Override
    public InstrumentationContext<ExecutionResult> beginExecuteOperation(
            InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
        final ExecutionContext execution = parameters.getExecutionContext();
        final GraphQLContext context = execution.getGraphQLContext();
        if (Boolean.TRUE.equals(context.get(GET_REQUEST))
            && execution.getOperationDefinition().getOperation() != OperationDefinition.Operation.QUERY) {
            context.put(REFUSED, true);
            throw new AbortExecutionException(MESSAGE);
        }
        return super.beginExecuteOperation(parameters, state);
    }

    /** True when {@code input} came as a GET and asked for something else than a query. */
    static boolean refused(ExecutionInput input) {
        return input != null && Boolean.TRUE.equals(input.getGraphQLContext().get(REFUSED));
    }
}
