package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Clients choose the variables of a GraphQL request: whatever they send — any JSON value, of any type, for each
 * variable of a fixed set of real operations, or variables that are not even an object — the gateway answers data
 * or errors whose {@code extensions.code} is a caller's code (never INTERNAL or UNAVAILABLE), never an HTTP 5xx, and
 * never a Java class name or stack frame. Real HTTP to the gateway in front of the five real services (RealStack).
 *
 * <p>Runs its corpus ({@code src/test/resources/io/pinhole/gateway/GraphQlVariablesFuzzTestInputs}) in every build;
 * {@code JAZZER_FUZZ=1} fuzzes (see docs/reliability.md).
 */
class GraphQlVariablesFuzzTest extends RealIdentityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What a client may be told; UNAVAILABLE is left out on purpose: the stack is up, so it would hide a bug. */
    private static final Set<String> CALLER_CODES = Set.of("BAD_USER_INPUT", "UNAUTHENTICATED", "NOT_FOUND",
            "FORBIDDEN", "CONFLICT", "RATE_LIMITED");
    /** A fully qualified Java class (java.lang.Foo, io.pinhole.x.Bar) or a stack frame. */
    private static final Pattern LEAK = Pattern.compile(
            "\\b(java|javax|jakarta|com|org|io|graphql|reactor|kotlin)\\.[a-z0-9_]+\\.[\\w.$]*[A-Z]\\w*|\\bat [\\w.$]+\\(|Exception\\b");

    record Operation(String query, List<String> variables, boolean upload) {}

    private static final List<Operation> OPERATIONS = List.of(
            new Operation("query Feed($n: Int, $c: String) { feed(first: $n, after: $c) "
                          + "{ edges { cursor node { id caption } } pageInfo { hasNextPage endCursor } } }",
                          List.of("n", "c"), false),
            new Operation("query Media($id: ID!) { media(id: $id) { id caption likeCount owner { username } } }",
                          List.of("id"), false),
            new Operation("mutation SignUp($i: SignUpInput!) { signUp(input: $i) { token user { id username } } }",
                          List.of("i"), false),
            new Operation("query Nearby($lat: Float!, $lng: Float!, $r: Float, $n: Int, $c: String) { nearby(lat: $lat, "
                          + "lng: $lng, radiusKm: $r, first: $n, after: $c) { edges { node { id } } pageInfo { endCursor } } }",
                          List.of("lat", "lng", "r", "n", "c"), false),
            new Operation("query User($u: String!, $n: Int, $c: String) { user(username: $u) { username "
                          + "media(first: $n, after: $c) { edges { node { id } } } } }", List.of("u", "n", "c"), false),
            new Operation("query Places($q: String!, $lat: Float, $lng: Float, $n: Int) { locations(query: $q, lat: $lat, "
                          + "lng: $lng, first: $n) { name } searchUsers(query: $q, first: $n) { username } }",
                          List.of("q", "lat", "lng", "n"), false),
            new Operation("mutation Comment($m: ID!, $t: String!) { addComment(mediaId: $m, text: $t) { id text } }",
                          List.of("m", "t"), false),
            new Operation("mutation Upload($file: Upload!, $caption: String, $location: LocationInput) { uploadMedia("
                          + "file: $file, caption: $caption, location: $location) { id caption } }",
                          List.of("file", "caption", "location"), false),
            // The same upload as a real multipart request with a real photo: the fuzzed caption and location reach
            // svc-media.
            new Operation("mutation Upload($file: Upload!, $caption: String, $location: LocationInput) { uploadMedia("
                          + "file: $file, caption: $caption, location: $location) { id caption } }",
                          List.of("caption", "location"), true));

    private static RealIdentity.Account account;
    private static byte[] photo;

    @FuzzTest(maxDuration = "30s")
    void anyVariablesGiveDataOrCallerErrors(FuzzedDataProvider data) throws Exception {
        if (account == null) {
            account = RealIdentity.newAccount("gqlfuzz");
            photo = RealStack.photo(64, 48, Color.MAGENTA);
        }
        final Operation operation = OPERATIONS.get(data.consumeInt(0, OPERATIONS.size() - 1));
        final String authorization = switch (data.consumeInt(0, 2)) {
            case 0 -> null;
            case 1 -> account.bearer();
            // Any token the JDK's client will put in a header (it refuses control characters and trailing spaces).
            default -> "Bearer x" + data.consumeString(40).replaceAll("[^!-~]", "");
        };
        final JsonNode variables;
        if (data.consumeInt(0, 9) == 0) {
            variables = value(data, 0); // not necessarily an object: null, a number, an array…
        } else {
            final ObjectNode object = NODES.objectNode();
            for (String name : operation.variables()) {
                if (data.consumeBoolean()) {
                    object.set(name, value(data, 0));
                }
            }
            variables = object;
        }

        final HttpResponse<String> response = operation.upload() && variables instanceof ObjectNode object
                ? gateway.upload(operation.query(), toMap(object), photo, "photo.png", "image/png", authorization)
                : post(operation.query(), variables, authorization);

        final String body = response.body();
        assertThat(response.statusCode()).as(body).isLessThan(500);
        assertThat(LEAK.matcher(body).find()).as("a Java name or frame in %s", body).isFalse();
        if (response.statusCode() != 200) {
            return; // e.g. 400 for variables that are not an object, before any execution
        }
        final JsonNode answer = JSON.readTree(body);
        assertThat(answer.has("data") || answer.has("errors")).as(body).isTrue();
        for (JsonNode error : answer.path("errors")) {
            assertThat(error.path("extensions").path("code").asText()).as(body).isIn(CALLER_CODES);
        }
    }

    private HttpResponse<String> post(String query, JsonNode variables, String authorization)
            throws IOException, InterruptedException {
        final ObjectNode request = NODES.objectNode().put("query", query);
        request.set("variables", variables);
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/graphql"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Object> toMap(ObjectNode object) {
        final Map<String, Object> map = new LinkedHashMap<>();
        object.properties().forEach(entry -> map.put(entry.getKey(), entry.getValue()));
        return map;
    }

    /** Any JSON value, nested up to three levels, biased towards the edges of each type. */
    private static JsonNode value(FuzzedDataProvider data, int depth) {
        return switch (data.consumeInt(0, depth < 3 ? 11 : 8)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(data.consumeBoolean());
            case 2 -> NODES.numberNode(data.consumeInt());
            case 3 -> NODES.numberNode(data.consumeLong());
            case 4 -> NODES.numberNode(data.consumeDouble()); // NaN and infinities included
            case 5 -> NODES.numberNode(new BigInteger(1, data.consumeBytes(40)).negate());
            case 6 -> NODES.numberNode(new BigDecimal(data.consumeLong()).scaleByPowerOfTen(data.consumeInt(-400, 400)));
            case 7 -> NODES.textNode(data.consumeString(300));
            case 8 -> NODES.textNode(Long.toString(data.consumeLong())); // an ID-looking string
            case 9 -> {
                final ArrayNode array = NODES.arrayNode();
                for (int i = data.consumeInt(0, 4); i > 0; i--) {
                    array.add(value(data, depth + 1));
                }
                yield array;
            }
            default -> {
                final ObjectNode object = NODES.objectNode();
                for (int i = data.consumeInt(0, 5); i > 0; i--) {
                    // The real field names of SignUpInput and LocationInput, or any name.
                    final String name = data.consumeBoolean()
                            ? data.pickValue(List.of("username", "password", "email", "fullName", "name", "lat", "lng"))
                            : data.consumeString(12);
                    object.set(name, value(data, depth + 1));
                }
                yield object;
            }
        };
    }
}
