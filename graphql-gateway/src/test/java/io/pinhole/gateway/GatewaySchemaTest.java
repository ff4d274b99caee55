package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import graphql.introspection.IntrospectionQuery;
import graphql.schema.FieldCoordinates;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import io.pinhole.gateway.model.User;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.execution.GraphQlSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The schema's contract, the answers of fields not built yet, and the request limits. Every service is down here
 * (ports where nothing listens).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewaySchemaTest {

    @DynamicPropertySource
    static void identityIsDown(DynamicPropertyRegistry registry) {
        final int port = GatewayClient.closedPort();
        registry.add("PINHOLE_IDENTITY_ADDRESS", () -> "127.0.0.1:" + port);
        registry.add("PINHOLE_MEDIA_ADDRESS", () -> "127.0.0.1:" + port);
        registry.add("PINHOLE_FEED_ADDRESS", () -> "127.0.0.1:" + port);
    }

    @LocalServerPort
    int port;

    @Autowired
    GraphQlSource graphQlSource;

    GatewayClient gateway;

    @BeforeEach
    void setUp() {
        gateway = new GatewayClient(port);
    }

    @Test
    void geoDown_locationsAnswersUnavailable_andDataIsNull() {
        final JsonNode response = gateway.graphql("{ locations(query: \"par\") { name } __typename }");

        final JsonNode error = response.path("errors").get(0);
        assertThat(error.path("message").asText()).isEqualTo("Query.locations is temporarily unavailable, retry later");
        assertThat(error.path("extensions").path("code").asText()).isEqualTo("UNAVAILABLE");
        assertThat(error.path("path").get(0).asText()).isEqualTo("locations");
        assertThat(response.path("errors")).hasSize(1);
        assertThat(response.path("data").isNull()).isTrue(); // locations is non-null: its failure nulls data
    }

    @Test
    void registerDevice_anonymous_isUnauthenticated_withoutCallingNotify() {
        final JsonNode response = gateway.graphql("mutation { registerDevice(input: {platform: APNS, token: \"abc\"}) }");

        final JsonNode error = response.path("errors").get(0);
        assertThat(error.path("extensions").path("code").asText()).isEqualTo("UNAUTHENTICATED");
        assertThat(error.path("path").get(0).asText()).isEqualTo("registerDevice");
    }

    @Test
    void identityDown_viewerIsNullWithUnavailable_andTheRestStillAnswers() {
        final JsonNode response = gateway.graphql("{ viewer { id } __typename }", "Bearer some-token");

        assertThat(response.path("data").path("viewer").isNull()).isTrue();
        assertThat(response.path("data").path("__typename").asText()).isEqualTo("Query");
        final JsonNode error = response.path("errors").get(0);
        assertThat(error.path("extensions").path("code").asText()).isEqualTo("UNAVAILABLE");
        assertThat(error.path("path").get(0).asText()).isEqualTo("viewer");
        assertThat(error.path("message").asText()).doesNotContain("Exception");
    }

    @Test
    void identityDown_identityFieldsAndMutationsAreUnavailable() {
        final JsonNode query = gateway.graphql("{ user(username: \"ada\") { id } __typename }");

        assertThat(query.path("data").path("user").isNull()).isTrue();
        assertThat(query.path("data").path("__typename").asText()).isEqualTo("Query");
        assertThat(query.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("UNAVAILABLE");
        assertThat(query.path("errors").get(0).path("message").asText()).isEqualTo("Query.user is temporarily unavailable, retry later");

        final JsonNode mutation = gateway.graphql(
                "mutation { logIn(input: {username: \"ada\", password: \"correct horse battery\"}) { token } }");

        assertThat(mutation.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("UNAVAILABLE");
    }

    @Test
    void identityDown_anonymousViewerIsStillNullWithoutError() {
        final JsonNode response = gateway.graphql("{ viewer { id } }");

        assertThat(response.path("data").path("viewer").isNull()).isTrue();
        assertThat(response.has("errors")).isFalse();
    }

    @Test
    void everyQueryAndMutationField_hasADataFetcher() {
        final GraphQLSchema schema = graphQlSource.schema();
        final List<String> withoutFetcher = new ArrayList<>();
        for (GraphQLObjectType root : List.of(schema.getQueryType(), schema.getMutationType())) {
            for (GraphQLFieldDefinition field : root.getFieldDefinitions()) {
                if (!schema.getCodeRegistry().hasDataFetcher(FieldCoordinates.coordinates(root, field))) {
                    withoutFetcher.add(root.getName() + "." + field.getName());
                }
            }
        }
        assertThat(withoutFetcher).isEmpty();
    }

    @Test
    void everyUserField_isFilledByIdentitysRecordOrHasADataFetcher() {
        final GraphQLSchema schema = graphQlSource.schema();
        final Set<String> recordFields = Arrays.stream(User.class.getRecordComponents())
                .map(component -> component.getName()).collect(Collectors.toSet());
        final GraphQLObjectType user = schema.getObjectType("User");

        assertThat(user.getFieldDefinitions()).allSatisfy(field -> assertThat(
                recordFields.contains(field.getName())
                || schema.getCodeRegistry().hasDataFetcher(FieldCoordinates.coordinates(user, field)))
                .as("User.%s is filled", field.getName()).isTrue());
    }

    @Test
    void graphiqlsIntrospectionQuery_fitsTheLimits() {
        final JsonNode response = gateway.graphql(IntrospectionQuery.INTROSPECTION_QUERY);

        assertThat(response.has("errors")).as(response.toString()).isFalse();
        assertThat(response.path("data").path("__schema").path("queryType").path("name").asText()).isEqualTo("Query");
    }

    @Test
    void federationFields_areNotExposed() {
        final JsonNode response = gateway.graphql("{ _service { sdl } }");

        assertThat(response.path("data").isMissingNode() || response.path("data").isNull()).isTrue();
        assertThat(response.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void syntaxError_isBadUserInput() {
        final JsonNode response = gateway.graphql("{ viewer { id }");

        assertThat(response.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void unknownField_isBadUserInput() {
        final JsonNode response = gateway.graphql("{ viewer { password } }");

        assertThat(response.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void tooDeepQuery_isRefusedBeforeAnyFieldRuns() {
        // viewer → media → edges → node → owner → media → … : 4 levels per round, 20 levels in all.
        String selection = "id";
        for (int round = 0; round < 5; round++) {
            selection = "media { edges { node { owner { " + selection + " } } } }";
        }
        final JsonNode response = gateway.graphql("{ viewer { " + selection + " } }", "Bearer some-token");

        final JsonNode error = response.path("errors").get(0);
        assertThat(error.path("extensions").path("code").asText()).isEqualTo("BAD_USER_INPUT");
        assertThat(error.path("message").asText()).containsIgnoringCase("depth");
        assertThat(response.path("errors")).hasSize(1); // no field ran: not even identity's UNAVAILABLE
    }

    @Test
    void tooComplexQuery_isRefused() {
        // Page sizes multiply the cost (RequestLimitsTest has the details): 50 × 50 followers ≈ 7,650 > 3,000.
        final JsonNode response = gateway.graphql("{ viewer { followers(first: 50) { edges { node { "
                                                  + "followers(first: 50) { edges { node { id } } } } } } } }");

        final JsonNode error = response.path("errors").get(0);
        assertThat(error.path("extensions").path("code").asText()).isEqualTo("BAD_USER_INPUT");
        assertThat(error.path("message").asText()).containsIgnoringCase("complexity");
    }

    @Test
    void actuatorHealth_isUp() {
        final var response = gateway.get("/actuator/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"UP\"");
    }
}
