package io.pinhole.gateway.http;

import static io.pinhole.gateway.http.RawHttp.GRAPHQL_RESPONSE;
import static io.pinhole.gateway.http.RawHttp.fields;
import static io.pinhole.gateway.http.RawHttp.firstCode;
import static io.pinhole.gateway.http.RawHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Automatic persisted queries (Apollo's protocol) as a mobile client uses them: hash alone → PersistedQueryNotFound
 * → hash and query → hash alone runs, over POST and GET. Every test uses queries of its own (a fresh alias), so
 * none depends on what another stored.
 */
@GatewayWithoutBackends
class PersistedQueriesTest {

    @LocalServerPort
    int port;

    RawHttp http;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
    }

    @Test
    void unknownHash_isPersistedQueryNotFound() {
        final String query = freshQuery();

        final HttpResponse<String> legacy = http.postJson(hashOnly(query), null);
        final HttpResponse<String> modern = http.postJson(hashOnly(query), GRAPHQL_RESPONSE);

        // Legacy application/json: 200 with the error, as Apollo Client's persisted query link expects.
        assertThat(legacy.statusCode()).isEqualTo(200);
        assertNotFound(json(legacy));
        // graphql-response+json: nothing ran, no data: a request error.
        assertThat(modern.statusCode()).isEqualTo(400);
        assertNotFound(json(modern));
    }

    @Test
    void miss_register_hit_overPostAndGet() {
        final String query = freshQuery();
        final String alias = alias(query);

        final HttpResponse<String> miss = http.postJson(hashOnly(query), null);
        final HttpResponse<String> register = http.postJson(withHash(query, sha256(query)), GRAPHQL_RESPONSE);
        final HttpResponse<String> hitPost = http.postJson(hashOnly(query), GRAPHQL_RESPONSE);
        final HttpResponse<String> hitGet = http.get(fields("extensions", hashOnly(query).get("extensions")), GRAPHQL_RESPONSE);

        assertNotFound(json(miss));
        assertThat(register.statusCode()).isEqualTo(200);
        assertThat(json(register).path("data").path(alias).asText()).isEqualTo("Query");
        assertThat(hitPost.statusCode()).isEqualTo(200);
        assertThat(json(hitPost).path("data").path(alias).asText()).isEqualTo("Query");
        assertThat(hitGet.statusCode()).isEqualTo(200);
        assertThat(json(hitGet).path("data").path(alias).asText()).isEqualTo("Query");
    }

    @Test
    void getMiss_thenRegisterOverGet_thenHashAloneOverGet() {
        final String query = freshQuery();
        final Object extensions = hashOnly(query).get("extensions");

        final HttpResponse<String> miss = http.get(fields("extensions", extensions), null);
        final HttpResponse<String> register = http.get(fields("query", query, "extensions", extensions), null);
        final HttpResponse<String> hit = http.get(fields("extensions", extensions), null);

        assertNotFound(json(miss));
        assertThat(json(register).path("data").path(alias(query)).asText()).isEqualTo("Query");
        assertThat(json(hit).path("data").path(alias(query)).asText()).isEqualTo("Query");
    }

    @Test
    void wrongHash_withQuery_isRefused_andNothingIsStored() {
        final String query = freshQuery();
        final String wrongHash = sha256(query + " ");

        final HttpResponse<String> refused = http.postJson(withHash(query, wrongHash), GRAPHQL_RESPONSE);
        final HttpResponse<String> later = http.postJson(fields("extensions", persistedQuery(wrongHash)), null);

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json(refused).has("data")).isFalse();
        assertThat(firstCode(refused)).isEqualTo("BAD_USER_INPUT");
        assertThat(json(refused).path("errors").path(0).path("message").asText()).contains("not the SHA-256");
        assertNotFound(json(later));
    }

    @Test
    void knownHash_withAnotherQuery_isRefused_notAnsweredWithTheStoredOne() {
        final String stored = freshQuery();
        final String other = freshQuery();
        http.postJson(withHash(stored, sha256(stored)), null);

        final HttpResponse<String> response = http.postJson(withHash(other, sha256(stored)), GRAPHQL_RESPONSE);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(firstCode(response)).isEqualTo("BAD_USER_INPUT");
        assertThat(response.body()).doesNotContain(alias(stored));
    }

    @Test
    void hashIsCaseInsensitive() {
        final String query = freshQuery();
        http.postJson(withHash(query, sha256(query)), null);

        final JsonNode hit = json(http.postJson(fields("extensions", persistedQuery(sha256(query).toUpperCase())), null));

        assertThat(hit.path("data").path(alias(query)).asText()).isEqualTo("Query");
    }

    @Test
    void malformedPersistedQuery_isBadUserInput() {
        final String query = freshQuery();

        final HttpResponse<String> version2 = http.postJson(fields("query", query, "extensions",
                Map.of("persistedQuery", Map.of("version", 2, "sha256Hash", sha256(query)))), GRAPHQL_RESPONSE);
        final HttpResponse<String> shortHash = http.postJson(fields("query", query, "extensions",
                Map.of("persistedQuery", Map.of("version", 1, "sha256Hash", "abc"))), GRAPHQL_RESPONSE);
        final HttpResponse<String> notAnObject = http.postJson(fields("query", query, "extensions",
                Map.of("persistedQuery", "yes")), GRAPHQL_RESPONSE);

        for (HttpResponse<String> response : java.util.List.of(version2, shortHash, notAnObject)) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
            assertThat(firstCode(response)).isEqualTo("BAD_USER_INPUT");
        }
    }

    @Test
    void storedMutation_byHashOverGet_is405() {
        final String mutation = "mutation { m" + UUID.randomUUID().toString().replace("-", "") + ": logOut }";
        http.postJson(withHash(mutation, sha256(mutation)), null);

        final HttpResponse<String> response = http.get(fields("extensions", hashOnly(mutation).get("extensions")), null);

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void documentOverALimit_isRefused_andNotStored() {
        final StringBuilder document = new StringBuilder("{");
        for (int i = 0; i < 31; i++) {
            document.append(" x").append(i).append(UUID.randomUUID().toString().replace("-", "")).append(": __typename");
        }
        final String query = document.append(" }").toString();

        final HttpResponse<String> register = http.postJson(withHash(query, sha256(query)), GRAPHQL_RESPONSE);
        final HttpResponse<String> later = http.postJson(hashOnly(query), null);

        assertThat(register.statusCode()).isEqualTo(400);
        assertThat(json(register).path("errors").path(0).path("message").asText()).contains("too many aliases");
        assertNotFound(json(later));
    }

    private static void assertNotFound(JsonNode body) {
        final JsonNode error = body.path("errors").path(0);
        assertThat(error.path("message").asText()).isEqualTo("PersistedQueryNotFound");
        assertThat(error.path("extensions").path("code").asText()).isEqualTo("PERSISTED_QUERY_NOT_FOUND");
        assertThat(body.has("data")).isFalse();
    }

    private static String freshQuery() {
        return "{ q" + UUID.randomUUID().toString().replace("-", "") + ": __typename }";
    }

    private static String alias(String freshQuery) {
        return freshQuery.substring(2, freshQuery.indexOf(':'));
    }

    private static Map<String, Object> hashOnly(String query) {
        return fields("extensions", persistedQuery(sha256(query)));
    }

    private static Map<String, Object> withHash(String query, String hash) {
        return fields("query", query, "extensions", persistedQuery(hash));
    }

    private static Map<String, Object> persistedQuery(String hash) {
        return Map.of("persistedQuery", Map.of("version", 1, "sha256Hash", hash));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
