package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * GraphiQL is served by the gateway itself and names no CDN: the machine running it may be offline. (Rendering it in
 * a browser and running a query is issue 9's Chromium test; README.md shows how to check by hand.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GraphiqlTest {

    /** Hosts that serve JavaScript, styles or fonts to pages: none may appear in the bundle. */
    private static final List<String> CDN_HOSTS = List.of(
            "unpkg.com", "jsdelivr.net", "esm.sh", "cdnjs.cloudflare.com", "skypack.dev", "jspm.io",
            "googleapis.com", "gstatic.com", "cdn.");

    private static final Pattern ABSOLUTE_URL = Pattern.compile("(?:https?:)?//([a-zA-Z0-9.-]+\\.[a-zA-Z]{2,})");
    private static final Pattern ASSET = Pattern.compile("(?:src|href)=\"(/graphiql/assets/[^\"]+)\"");

    @DynamicPropertySource
    static void identityIsDown(DynamicPropertyRegistry registry) {
        final int port = GatewayClient.closedPort();
        registry.add("PINHOLE_IDENTITY_ADDRESS", () -> "127.0.0.1:" + port);
    }

    @LocalServerPort
    int port;

    GatewayClient gateway;

    @BeforeEach
    void setUp() {
        gateway = new GatewayClient(port);
    }

    @Test
    void graphiql_redirectsToThePageNamingTheEndpoint() {
        final HttpResponse<String> response = gateway.get("/graphiql");

        assertThat(response.statusCode()).isEqualTo(307);
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(
                location -> assertThat(location).endsWith("/graphiql?path=/graphql"));
    }

    @Test
    void graphiqlPage_andEveryAssetItNames_areServedByTheGateway() {
        final HttpResponse<String> page = gateway.get("/graphiql?path=/graphql");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/html"));
        assertThat(hostsIn(page.body())).as("absolute URLs in the page").isEmpty();

        final Matcher assets = ASSET.matcher(page.body());
        final List<String> paths = new ArrayList<>();
        while (assets.find()) {
            paths.add(assets.group(1));
        }
        assertThat(paths).anyMatch(path -> path.endsWith(".js")).anyMatch(path -> path.endsWith(".css"));
        assertThat(paths).allSatisfy(path -> assertThat(gateway.get(path).statusCode()).as(path).isEqualTo(200));
    }

    @Test
    void bundle_namesNoCdnHost() throws IOException {
        final Path bundle = new ClassPathResource("pinhole-graphiql").getFilePath();
        final Set<String> hosts = new TreeSet<>();
        try (Stream<Path> files = Files.walk(bundle)) {
            for (Path file : files.filter(Files::isRegularFile).filter(GraphiqlTest::isText).toList()) {
                hosts.addAll(hostsIn(Files.readString(file, StandardCharsets.UTF_8)));
            }
        }
        // What remains are links in documentation strings and XML namespaces (w3.org…), never loaded.
        assertThat(hosts).noneMatch(host -> CDN_HOSTS.stream().anyMatch(host::contains));
    }

    @Test
    void stylesheets_loadNothingFromOutside() throws IOException {
        final Path bundle = new ClassPathResource("pinhole-graphiql").getFilePath();
        try (Stream<Path> files = Files.walk(bundle)) {
            for (Path css : files.filter(file -> file.toString().endsWith(".css")).toList()) {
                assertThat(Files.readString(css)).as(css.toString())
                        .doesNotContainPattern("url\\(\\s*['\"]?(https?:)?//")
                        .doesNotContain("@import");
            }
        }
    }

    private static boolean isText(Path file) {
        final String name = file.getFileName().toString();
        return name.endsWith(".js") || name.endsWith(".css") || name.endsWith(".html");
    }

    private static Set<String> hostsIn(String text) {
        final Set<String> hosts = new TreeSet<>();
        final Matcher matcher = ABSOLUTE_URL.matcher(text);
        while (matcher.find()) {
            final String host = matcher.group(1);
            if (!host.equals("localhost") && !host.startsWith("127.")) {
                hosts.add(host);
            }
        }
        return hosts;
    }
}
