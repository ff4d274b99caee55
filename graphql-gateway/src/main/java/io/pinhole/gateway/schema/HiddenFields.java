package io.pinhole.gateway.schema;

import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchemaElement;
import graphql.schema.GraphQLTypeVisitorStub;
import graphql.util.TraversalControl;
import graphql.util.TraverserContext;
import java.util.List;
import java.util.Set;
import org.springframework.boot.graphql.autoconfigure.GraphQlSourceBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Removes the Apollo Federation fields DGS adds to every schema ({@code Query._service}, {@code Query._entities}).
 * Pinhole is not a federated subgraph, and {@code _service { sdl }} would hand out the whole schema even with
 * introspection switched off in production. (Field visibility does not survive DGS's federation transform, so the
 * fields are removed from the schema itself.)
 */
@Configuration(proxyBeanMethods = false)
public class HiddenFields {

    static final Set<String> FEDERATION_FIELDS = Set.of("_service", "_entities");

    @Bean
    GraphQlSourceBuilderCustomizer removeFederationFields() {
        return builder -> builder.typeVisitorsToTransformSchema(List.of(new GraphQLTypeVisitorStub() {
            @Override
            public TraversalControl visitGraphQLFieldDefinition(GraphQLFieldDefinition field,
                                                                TraverserContext<GraphQLSchemaElement> context) {
                if (FEDERATION_FIELDS.contains(field.getName())
                    && context.getParentNode() instanceof GraphQLObjectType parent
                    && "Query".equals(parent.getName())) {
                    return deleteNode(context);
                }
                return TraversalControl.CONTINUE;
            }
        }));
    }
}
