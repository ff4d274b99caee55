package io.pinhole.gateway.http;

import static io.pinhole.gateway.http.RawHttp.GRAPHQL_RESPONSE;
import static io.pinhole.gateway.http.RawHttp.contentType;
import static io.pinhole.gateway.http.RawHttp.fields;
import static io.pinhole.gateway.http.RawHttp.firstCode;
import static io.pinhole.gateway.http.RawHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/) through real HTTP: GET for queries only,
 * media types from Accept, the status codes of {@code application/graphql-response+json} and of legacy
 * {@code application/json}, 406, 415, the body limit and batches.
 */
@GatewayWithoutBackends
class GraphQlHttpTest {

    @LocalServerPort
    int port;

    RawHttp http;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
    }

    @Test
    void get_query_answersInGraphqlResponseJson() {
        final HttpResponse<String> response = http.get(fields("query", "{ __typename }"), GRAPHQL_RESPONSE);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(contentType(response)).startsWith(GRAPHQL_RESPONSE);
        assertThat(json(response).path("data").path("__typename").asText()).isEqualTo("Query");
    }

    @Test
    void get_takesVariablesAndOperationName() {
        final String document = "query Skipped { __typename } query Picked($show: Boolean!) { __typename @include(if: $show) }";

        final JsonNode shown = json(http.get(fields("query", document, "operationName", "Picked",
                                                    "variables", Map.of("show", true)), GRAPHQL_RESPONSE));
        final JsonNode hidden = json(http.get(fields("query", document, "operationName", "Picked",
                                                     "variables", Map.of("show", false)), GRAPHQL_RESPONSE));

        assertThat(shown.path("data").path("__typename").asText()).isEqualTo("Query");
        assertThat(hidden.path("data").has("__typename")).isFalse();
        assertThat(hidden.has("errors")).isFalse();
    }

    @Test
    void get_mutation_is405_withAllowPost() {
        final HttpResponse<String> response = http.get(fields("query", "mutation { logOut }"), GRAPHQL_RESPONSE);

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertThat(json(response).has("data")).isFalse();
        assertThat(firstCode(response)).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void get_mutationPickedByOperationName_is405_butAQueryOfTheSameDocumentRuns() {
        final String document = "query Read { __typename } mutation Write { logOut }";

        final HttpResponse<String> write = http.get(fields("query", document, "operationName", "Write"), null);
        final HttpResponse<String> read = http.get(fields("query", document, "operationName", "Read"), null);

        assertThat(write.statusCode()).isEqualTo(405);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(json(read).path("data").path("__typename").asText()).isEqualTo("Query");
    }

    @Test
    void get_variablesThatAreNotAJsonObject_are400() {
        final HttpResponse<String> notJson = http.get(fields("query", "{ __typename }", "variables", "{oops"), GRAPHQL_RESPONSE);
        final HttpResponse<String> array = http.get(fields("query", "{ __typename }", "variables", "[1]"), GRAPHQL_RESPONSE);

        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(firstCode(notJson)).isEqualTo("BAD_USER_INPUT");
        assertThat(json(notJson).path("errors").path(0).path("message").asText()).startsWith("variables");
        assertThat(array.statusCode()).isEqualTo(400);
    }

    @Test
    void get_withoutQuery_is400() {
        final HttpResponse<String> response = http.get(fields("operationName", "Nothing"), GRAPHQL_RESPONSE);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(contentType(response)).startsWith(GRAPHQL_RESPONSE);
        assertThat(firstCode(response)).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void post_graphqlResponseJson_requestErrorsAre400_executionResults200() {
        final HttpResponse<String> syntax = http.postJson(fields("query", "{ viewer { id }"), GRAPHQL_RESPONSE);
        final HttpResponse<String> validation = http.postJson(fields("query", "{ viewer { password } }"), GRAPHQL_RESPONSE);
        final HttpResponse<String> missingQuery = http.postJson(fields("variables", Map.of()), GRAPHQL_RESPONSE);
        final HttpResponse<String> badVariables = http.postJson(
                fields("query", "query($n: String!) { user(username: $n) { id } }", "variables", Map.of("n", 5)),
                GRAPHQL_RESPONSE);
        // Data with a field error (identity is down) is an execution result: 200.
        final HttpResponse<String> partial = http.postJson(fields("query", "{ viewer { id } __typename }"), GRAPHQL_RESPONSE);

        assertThat(syntax.statusCode()).isEqualTo(400);
        assertThat(firstCode(syntax)).isEqualTo("BAD_USER_INPUT");
        assertThat(validation.statusCode()).isEqualTo(400);
        assertThat(missingQuery.statusCode()).isEqualTo(400);
        assertThat(badVariables.statusCode()).isEqualTo(400);
        assertThat(firstCode(badVariables)).isEqualTo("BAD_USER_INPUT");
        assertThat(partial.statusCode()).isEqualTo(200);
        assertThat(contentType(partial)).startsWith(GRAPHQL_RESPONSE);
        assertThat(json(partial).path("data").path("__typename").asText()).isEqualTo("Query");
    }

    @Test
    void post_legacyJson_answers200WithErrors() {
        final HttpResponse<String> noAccept = http.postJson(fields("query", "{ viewer { password } }"), null);
        final HttpResponse<String> json = http.postJson(fields("query", "{ viewer { password } }"), "application/json");

        for (HttpResponse<String> response : new HttpResponse[] {noAccept, json}) {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(contentType(response)).startsWith("application/json");
            assertThat(firstCode(response)).isEqualTo("BAD_USER_INPUT");
        }
    }

    @Test
    void post_acceptPreferringGraphqlResponseJson_getsIt() {
        final HttpResponse<String> response = http.postJson(
                fields("query", "{ __typename }"), GRAPHQL_RESPONSE + ", application/json;q=0.9");

        assertThat(contentType(response)).startsWith(GRAPHQL_RESPONSE);
    }

    @Test
    void unacceptableAccept_is406_onPostAndGet() {
        final HttpResponse<String> post = http.postJson(fields("query", "{ __typename }"), "text/html");
        final HttpResponse<String> get = http.get(fields("query", "{ __typename }"), "image/png");

        assertThat(post.statusCode()).isEqualTo(406);
        assertThat(firstCode(post)).isEqualTo("BAD_USER_INPUT");
        assertThat(get.statusCode()).isEqualTo(406);
    }

    @Test
    void wildcardAccept_isServedJson() {
        final HttpResponse<String> response = http.postJson(fields("query", "{ __typename }"), "*/*");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(contentType(response)).startsWith("application/json");
    }

    @Test
    void unsupportedContentType_is415() {
        final HttpResponse<String> response = http.post("{\"query\": \"{ __typename }\"}", "text/plain", GRAPHQL_RESPONSE);

        assertThat(response.statusCode()).isEqualTo(415);
    }

    @Test
    void bodyOverTheLimit_is413_withContentLengthOrChunked() {
        final String padding = " ".repeat(64 * 1024);
        final String body = "{\"query\": \"{ __typename }" + padding + "\"}";

        final HttpResponse<String> declared = http.post(body, "application/json", GRAPHQL_RESPONSE);
        final HttpResponse<String> chunked = http.postChunked(body, GRAPHQL_RESPONSE);

        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(firstCode(declared)).isEqualTo("BAD_USER_INPUT");
        assertThat(json(declared).path("errors").path(0).path("message").asText()).contains("65536 bytes");
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(firstCode(chunked)).isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void bodyJustUnderTheLimit_runs_evenChunked() {
        final String body = "{\"query\": \"{ __typename }" + " ".repeat(60 * 1024) + "\"}";

        final HttpResponse<String> response = http.postChunked(body, GRAPHQL_RESPONSE);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("data").path("__typename").asText()).isEqualTo("Query");
    }

    @Test
    void batchedArray_isRefused400_sayingBatchesAreNotSupported() {
        final HttpResponse<String> response = http.post(
                "[{\"query\": \"{ __typename }\"}, {\"query\": \"{ __typename }\"}]", "application/json", GRAPHQL_RESPONSE);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(firstCode(response)).isEqualTo("BAD_USER_INPUT");
        assertThat(json(response).path("errors").path(0).path("message").asText()).contains("batched requests");
    }

    @Test
    void malformedJson_and_wrongParameterTypes_are400WithACode() {
        final HttpResponse<String> malformed = http.post("{\"query\": ", "application/json", null);
        final HttpResponse<String> numberQuery = http.post("{\"query\": 1}", "application/json", null);
        final HttpResponse<String> stringVariables = http.post(
                "{\"query\": \"{ __typename }\", \"variables\": \"{}\"}", "application/json", GRAPHQL_RESPONSE);

        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(firstCode(malformed)).isEqualTo("BAD_USER_INPUT");
        assertThat(malformed.body()).doesNotContain("Exception", "\tat ");
        assertThat(numberQuery.statusCode()).isEqualTo(400);
        assertThat(json(numberQuery).path("errors").path(0).path("message").asText()).isEqualTo("query must be a string");
        assertThat(stringVariables.statusCode()).isEqualTo(400);
    }
}
