package io.pinhole.gateway.http;

import static io.pinhole.gateway.http.RawHttp.GRAPHQL_RESPONSE;
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
 * The request limits at their defaults (README.md, "Limits"): 30 aliases, 10 operations per document, cost 3,000
 * with page sizes multiplying; each refusal is BAD_USER_INPUT before any field runs (identity is down here, so a
 * field that ran would add an UNAVAILABLE error).
 */
@GatewayWithoutBackends
class RequestLimitsTest {

    @LocalServerPort
    int port;

    RawHttp http;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
    }

    @Test
    void aliases_thirtyRun_thirtyOneAreRefused() {
        final HttpResponse<String> thirty = http.postJson(fields("query", aliased(30)), GRAPHQL_RESPONSE);
        final HttpResponse<String> thirtyOne = http.postJson(fields("query", aliased(31)), GRAPHQL_RESPONSE);

        assertThat(thirty.statusCode()).isEqualTo(200);
        assertThat(json(thirty).path("data").path("a29").asText()).isEqualTo("Query");
        assertThat(thirtyOne.statusCode()).isEqualTo(400);
        assertOnlyRefusal(thirtyOne, "too many aliases: at most 30 per document");
    }

    @Test
    void aliases_inFragmentsCountToo() {
        final StringBuilder fragment = new StringBuilder("fragment Many on Query {");
        for (int i = 0; i < 31; i++) {
            fragment.append(" f").append(i).append(": __typename");
        }
        final String document = "{ ...Many } " + fragment.append(" }");

        assertOnlyRefusal(http.postJson(fields("query", document), GRAPHQL_RESPONSE), "too many aliases");
    }

    @Test
    void operations_tenRun_elevenAreRefused_evenWhenOneIsPicked() {
        final HttpResponse<String> ten = http.postJson(fields("query", operations(10), "operationName", "Op0"), GRAPHQL_RESPONSE);
        final HttpResponse<String> eleven = http.postJson(fields("query", operations(11), "operationName", "Op0"), GRAPHQL_RESPONSE);

        assertThat(ten.statusCode()).isEqualTo(200);
        assertThat(json(ten).path("data").path("__typename").asText()).isEqualTo("Query");
        assertThat(eleven.statusCode()).isEqualTo(400);
        assertOnlyRefusal(eleven, "too many operations: the document defines 11, at most 10");
    }

    @Test
    void cost_multipliesByPageSizes() {
        // feed(50) × likers(50) × 3 fields ≈ 7,651 > 3,000; the same shape with pages of 2 costs 19.
        final String query = "query($page: Int) { feed(first: $page) { edges { node { likers(first: $page) "
                             + "{ edges { node { username } } } } } } }";

        final HttpResponse<String> big = http.postJson(fields("query", query, "variables", Map.of("page", 50)), GRAPHQL_RESPONSE);
        final HttpResponse<String> small = http.postJson(fields("query", query, "variables", Map.of("page", 2)), GRAPHQL_RESPONSE);

        assertOnlyRefusal(big, "query complexity over the limit of 3000");
        // Pages of 2 pass the limits and run: feed needs a viewer (none here).
        assertThat(json(small).path("errors").path(0).path("message").asText()).doesNotContain("complexity");
        assertThat(json(small).path("errors").path(0).path("path").path(0).asText()).isEqualTo("feed");
    }

    @Test
    void cost_aFullFeedPageOf50WithLikersAndComments_fitsTheLimit() {
        final String query = "{ feed(first: 50) { edges { cursor node { id caption createdAt likeCount commentCount "
                             + "viewerHasLiked images { thumbnail { url width height } standard { url } } "
                             + "owner { id username avatarUrl } likers(first: 3) { edges { node { username } } } "
                             + "comments(first: 2) { edges { node { text author { username } } } } } } "
                             + "pageInfo { hasNextPage endCursor } } }";

        final JsonNode response = json(http.postJson(fields("query", query), GRAPHQL_RESPONSE));

        // It runs (and fails only because there is no viewer): no limit refused it.
        assertThat(response.path("errors")).hasSize(1);
        assertThat(response.path("errors").path(0).path("path").path(0).asText()).isEqualTo("feed");
        assertThat(response.path("errors").path(0).path("extensions").path("code").asText()).isEqualTo("UNAUTHENTICATED");
    }

    @Test
    void cost_countsTheDefaultPageWhenFirstIsLeftOut() {
        // Three nested follower lists of the default 20: 20 × 20 × 20 × … ≈ 25,000.
        final String query = "{ viewer { followers { edges { node { followers { edges { node { followers "
                             + "{ edges { node { id } } } } } } } } } } }";

        assertOnlyRefusal(http.postJson(fields("query", query), GRAPHQL_RESPONSE), "complexity");
    }

    @Test
    void cost_countsFirstAbove50As50_soTheFieldItselfSaysWhatIsWrong() {
        final HttpResponse<String> response = http.postJson(
                fields("query", "{ searchUsers(query: \"ann\", first: 1000) { id } }"), GRAPHQL_RESPONSE);

        final JsonNode error = json(response).path("errors").path(0);
        assertThat(error.path("extensions").path("code").asText()).isEqualTo("BAD_USER_INPUT");
        assertThat(error.path("extensions").path("fields").path(0).path("field").asText()).isEqualTo("first");
    }

    @Test
    void depth_isRefused() {
        String selection = "id";
        for (int round = 0; round < 5; round++) {
            selection = "media { edges { node { owner { " + selection + " } } } }";
        }

        assertOnlyRefusal(http.postJson(fields("query", "{ viewer { " + selection + " } }"), GRAPHQL_RESPONSE),
                          "maximum query depth exceeded");
    }

    @Test
    void limits_applyToGetToo() {
        final HttpResponse<String> response = http.get(fields("query", aliased(31)), GRAPHQL_RESPONSE);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(firstCode(response)).isEqualTo("BAD_USER_INPUT");
    }

    /** One BAD_USER_INPUT error containing {@code message}, no data: nothing ran. */
    private static void assertOnlyRefusal(HttpResponse<String> response, String message) {
        final JsonNode body = json(response);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(body.has("data")).isFalse();
        assertThat(body.path("errors")).hasSize(1);
        assertThat(body.path("errors").path(0).path("extensions").path("code").asText()).isEqualTo("BAD_USER_INPUT");
        assertThat(body.path("errors").path(0).path("message").asText()).contains(message);
    }

    private static String aliased(int count) {
        final StringBuilder query = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            query.append(" a").append(i).append(": __typename");
        }
        return query.append(" }").toString();
    }

    private static String operations(int count) {
        final StringBuilder document = new StringBuilder();
        for (int i = 0; i < count; i++) {
            document.append("query Op").append(i).append(" { __typename } ");
        }
        return document.toString();
    }
}
