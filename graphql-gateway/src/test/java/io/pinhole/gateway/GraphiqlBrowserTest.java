package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Renders /graphiql in headless Chromium and runs a query from the page (src/main/graphiql/smoke): no request may
 * leave localhost. Needs Debian's {@code chromium} ({@code PINHOLE_CHROMIUM} names another binary); skipped, saying
 * so, where it is missing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GraphiqlBrowserTest {

    @DynamicPropertySource
    static void identityIsDown(DynamicPropertyRegistry registry) {
        final int port = GatewayClient.closedPort();
        registry.add("PINHOLE_IDENTITY_ADDRESS", () -> "127.0.0.1:" + port);
    }

    @LocalServerPort
    int port;

    @Test
    void graphiql_rendersOffline_andRunsAQueryFromThePage() throws IOException, InterruptedException {
        final Path frontend = Path.of(System.getProperty("graphiql.dir", "src/main/graphiql"));
        final String chromium = System.getenv().getOrDefault("PINHOLE_CHROMIUM", "/usr/bin/chromium");
        assumeTrue(Files.isExecutable(Path.of(chromium)), "no Chromium at " + chromium + " (apt-get install chromium)");
        assumeTrue(Files.isDirectory(frontend.resolve("node_modules/playwright-core")),
                   "GraphiQL's node_modules are not installed (built with -Dgraphiql.skip=true?)");

        final Process smoke = new ProcessBuilder(List.of(
                "node", "smoke/graphiql-smoke.mjs", "http://127.0.0.1:" + port, chromium))
                .directory(frontend.toFile())
                .redirectErrorStream(true)
                .start();
        final boolean finished = smoke.waitFor(120, TimeUnit.SECONDS);
        final String output = new String(smoke.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!finished) {
            smoke.destroyForcibly();
        }
        assertThat(finished).as("smoke test finished: " + output).isTrue();
        assertThat(smoke.exitValue()).as(output).isZero();

        final String lastLine = output.strip().lines().reduce((first, second) -> second).orElse("{}");
        final JsonNode report = new ObjectMapper().readTree(lastLine);
        assertThat(report.path("requestsOutside")).as("requests that left localhost").isEmpty();
        assertThat(report.path("pageErrors")).as("errors in the page").isEmpty();
        // The result pane is Monaco: its text uses no-break spaces.
        assertThat(report.path("result").asText().replaceAll("[\\s\u00a0]", "")).contains("\"viewer\":null");
    }
}
