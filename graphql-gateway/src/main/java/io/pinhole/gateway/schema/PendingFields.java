package io.pinhole.gateway.schema;

import com.netflix.graphql.dgs.DgsCodeRegistry;
import com.netflix.graphql.dgs.DgsComponent;
import graphql.schema.DataFetcher;
import graphql.schema.FieldCoordinates;
import graphql.schema.GraphQLCodeRegistry;
import graphql.language.ObjectTypeDefinition;
import graphql.schema.idl.TypeDefinitionRegistry;
import io.pinhole.gateway.error.GatewayException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fields the schema already declares (so clients see the whole contract) but whose backend is not built yet. Each
 * answers null with an UNAVAILABLE error, {@code "not available yet: Query.feed lands with issue 6"}, naming the
 * issue of the service it needs; the gateway side of all of them is issue 9. Remove a line when its field gets a
 * real data fetcher.
 *
 * <p>Fields of types that only pending fields return (Location through {@code locations}) need no line: nothing
 * can reach them yet.
 */
@DgsComponent
public class PendingFields {

    /** svc-geo: nearby media and places (also {@code Media.location}, see {@code MediaDataFetcher.location}). */
    public static final int GEO = 7;
    /** svc-notify: devices and push. */
    static final int NOTIFY = 8;

    /** Field coordinates → the issue that brings its backend. */
    static final Map<String, Integer> PENDING = pending();

    private static Map<String, Integer> pending() {
        final Map<String, Integer> fields = new LinkedHashMap<>();
        fields.put("Query.nearby", GEO);
        fields.put("Query.locations", GEO);
        fields.put("Mutation.registerDevice", NOTIFY);
        return Map.copyOf(fields);
    }

    /**
     * Registers the "not available yet" fetchers. Fails start-up when a listed field does not exist (a typo) or
     * already has a real data fetcher (DGS registers those first): then its line here must go.
     */
    @DgsCodeRegistry
    public GraphQLCodeRegistry.Builder registry(GraphQLCodeRegistry.Builder codeRegistry,
                                                TypeDefinitionRegistry types) {
        PENDING.forEach((coordinates, issue) -> {
            final String[] typeAndField = coordinates.split("\\.");
            final boolean declared = types.getType(typeAndField[0], ObjectTypeDefinition.class)
                    .map(type -> type.getFieldDefinitions().stream()
                            .anyMatch(field -> field.getName().equals(typeAndField[1])))
                    .orElse(false);
            if (!declared) {
                throw new IllegalStateException("PendingFields lists " + coordinates + ", which the schema lacks");
            }
            final FieldCoordinates field = FieldCoordinates.coordinates(typeAndField[0], typeAndField[1]);
            if (codeRegistry.hasDataFetcher(field)) {
                throw new IllegalStateException(
                        coordinates + " has a data fetcher now: remove it from PendingFields");
            }
            final DataFetcher<Object> unavailable = env -> {
                throw GatewayException.notAvailableYet(coordinates, issue);
            };
            codeRegistry.dataFetcher(field, unavailable);
        });
        return codeRegistry;
    }
}
