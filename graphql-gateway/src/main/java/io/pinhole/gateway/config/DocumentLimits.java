package io.pinhole.gateway.config;

import graphql.execution.AbortExecutionException;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationValidationParameters;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.Node;
import graphql.language.OperationDefinition;
import graphql.validation.ValidationError;
import java.util.List;

/**
 * Refuses a document with too many operation definitions or too many aliases before GraphQL-Java validates it:
 * validation (overlapping fields above all) grows faster than the document, and aliases are how one request asks
 * for the same costly field many times. The depth and cost limits run later, on the operation to execute.
 *
 * <p>This runs when a document is validated, which for a persisted query (APQ) is when it is registered: a
 * document refused here is never stored, so hits need no check.
 */
final class DocumentLimits extends SimplePerformantInstrumentation {

    private final int maxOperations;
    private final int maxAliases;

    DocumentLimits(int maxOperations, int maxAliases) {
        this.maxOperations = maxOperations;
        this.maxAliases = maxAliases;
    }

    @Override
    public InstrumentationContext<List<ValidationError>> beginValidation(InstrumentationValidationParameters parameters,
                                                                         InstrumentationState state) {
        final Document document = parameters.getDocument();
        final long operations = document.getDefinitions().stream()
                                        .filter(OperationDefinition.class::isInstance).count();
        if (operations > maxOperations) {
            throw new AbortExecutionException(
                    "too many operations: the document defines " + operations + ", at most " + maxOperations);
        }
        if (aliases(document, 0) > maxAliases) {
            throw new AbortExecutionException("too many aliases: at most " + maxAliases + " per document");
        }
        return super.beginValidation(parameters, state);
    }

    /** Aliased fields under {@code node}, in operations and fragment definitions alike; stops past the limit. */
    private int aliases(Node<?> node, int found) {
        int count = found;
        if (node instanceof Field field && field.getAlias() != null) {
            count++;
        }
        for (Node<?> child : node.getChildren()) {
            if (count > maxAliases) {
                break;
            }
            count = aliases(child, count);
        }
        return count;
    }
}
