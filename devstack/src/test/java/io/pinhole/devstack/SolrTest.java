package io.pinhole.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Solr over plain HTTP, the way a service's SolrJ client talks to it. */
@ExtendWith(DevstackExtension.class)
class SolrTest {

    private static SolrServer solr;
    private static HttpClient http;

    @BeforeAll
    static void start(Devstack devstack) {
        solr = devstack.solr();
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void closeClient() {
        http.close();
    }

    @Test
    void coreFromDefaultConfigset_withALocationField_findsDocumentsWithGeofilt() throws Exception {
        assertThat(solr.baseUrl()).isEqualTo("http://127.0.0.1:" + solr.port() + "/solr");
        createCore("places");
        post("/places/schema", """
                {"add-field": [
                  {"name": "name", "type": "text_general", "stored": true},
                  {"name": "geo", "type": "location", "stored": true},
                  {"name": "created_at", "type": "pdate", "stored": true}
                ]}""");
        assertThat(get("/places/schema/fields/geo?wt=json")).contains("\"type\":\"location\"");

        post("/places/update?commit=true", """
                [
                  {"id": "eiffel", "name": "Eiffel Tower", "geo": "48.8584,2.2945", "created_at": "2026-01-02T03:04:05Z"},
                  {"id": "louvre", "name": "Louvre", "geo": "48.8606,2.3376", "created_at": "2026-01-02T03:04:05Z"},
                  {"id": "liberty", "name": "Statue of Liberty", "geo": "40.6892,-74.0445", "created_at": "2026-01-02T03:04:05Z"}
                ]""");

        // Within 5 km of the Trocadéro: both Paris places, nearest first; New York is not.
        assertThat(ids("/places/select?q=*:*&fq=" + encode("{!geofilt sfield=geo pt=48.8620,2.2876 d=5}")
                + "&sort=" + encode("geodist(geo,48.8620,2.2876) asc")))
                .containsExactly("eiffel", "louvre");
        assertThat(ids("/places/select?q=name:liberty")).containsExactly("liberty");
    }

    @Test
    void cores_haveIndependentSchemas_thatSurviveARestart() throws Exception {
        createCore("users_a");
        createCore("users_b");
        post("/users_a/schema", "{\"add-field\": {\"name\": \"only_in_a\", \"type\": \"string\", \"stored\": true}}");
        post("/users_b/schema", "{\"add-field\": {\"name\": \"only_in_b\", \"type\": \"string\", \"stored\": true}}");
        post("/users_a/update?commit=true", "[{\"id\": \"1\", \"only_in_a\": \"kept\"}]");

        final int port = solr.port();
        solr.stop();
        solr.start();

        assertThat(solr.port()).isEqualTo(port);
        assertThat(get("/users_a/schema/fields?wt=json")).contains("only_in_a").doesNotContain("only_in_b");
        assertThat(get("/users_b/schema/fields?wt=json")).contains("only_in_b").doesNotContain("only_in_a");
        assertThat(ids("/users_a/select?q=only_in_a:kept")).containsExactly("1");
    }

    @Test
    void documents_becomeVisible_withoutAnExplicitCommit() throws Exception {
        createCore("soft_commit");
        post("/soft_commit/update", "[{\"id\": \"visible-soon\"}]");

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(ids("/soft_commit/select?q=*:*")).containsExactly("visible-soon"));
    }

    private static void createCore(String name) throws IOException, InterruptedException {
        final String response = get("/admin/cores?action=CREATE&name=" + name + "&configSet="
                + SolrServer.DEFAULT_CONFIGSET + "&wt=json");
        assertThat(response).contains("\"core\":\"" + name + "\"");
    }

    private static List<String> ids(String path) throws IOException, InterruptedException {
        final String csv = get(path + "&fl=id&wt=csv");
        return csv.lines().skip(1).toList();
    }

    private static String get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(solr.baseUrl() + path)).GET().build());
    }

    private static void post(String path, String json) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(URI.create(solr.baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private static String send(HttpRequest request) throws IOException, InterruptedException {
        final HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s: %s", request.method(), request.uri(), response.body())
                .isEqualTo(200);
        return response.body();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
