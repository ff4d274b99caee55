package io.pinhole.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The official GraphQL-over-HTTP server audit (npm {@code graphql-http}'s {@code serverAudits}) against the running
 * gateway, through {@code src/test/graphql-http-audit/audit.mjs}: no MUST may fail. Failed SHOULDs and MAYs are
 * printed (README.md records the count). The local profile is audited: some audits introspect the schema, which
 * production turns off.
 */
@GatewayWithoutBackends
class GraphQlHttpAuditTest {

    @LocalServerPort
    int port;

    @Test
    void graphqlHttpServerAudit_hasNoMustFailure() throws IOException, InterruptedException {
        assumeFalse(Boolean.getBoolean("graphiql.skip"), "built with -Dgraphiql.skip=true: no node packages");
        final Path auditDir = Path.of(System.getProperty("graphql-http-audit.dir", "src/test/graphql-http-audit"));
        if (!Files.isDirectory(auditDir.resolve("node_modules/graphql-http"))) {
            fail("graphql-http is not installed in " + auditDir + ": Maven's generate-test-resources phase runs npm ci");
        }

        final Process audit = new ProcessBuilder(List.of("node", "audit.mjs", "http://127.0.0.1:" + port + "/graphql"))
                .directory(auditDir.toFile())
                .redirectErrorStream(true)
                .start();
        final boolean finished = audit.waitFor(120, TimeUnit.SECONDS);
        final String output = new String(audit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!finished) {
            audit.destroyForcibly();
        }
        assertThat(finished).as("audit finished: " + output).isTrue();
        assertThat(audit.exitValue()).as(output).isZero();

        final String lastLine = output.strip().lines().reduce((first, second) -> second).orElse("{}");
        final JsonNode report = RawHttp.JSON.readTree(lastLine);
        final List<String> mustFailures = new ArrayList<>();
        final List<String> others = new ArrayList<>();
        for (JsonNode result : report.path("results")) {
            final String line = result.path("status").asText() + " " + result.path("id").asText() + " "
                                + result.path("name").asText() + ": " + result.path("reason").asText();
            switch (result.path("status").asText()) {
                case "ok" -> { }
                case "error" -> mustFailures.add(line);
                default -> others.add(line);
            }
        }
        System.out.printf("graphql-http audit: %d audits, %s; SHOULD warnings: %d, MAY notices: %d%n",
                          report.path("total").asInt(), report.path("counts"),
                          report.path("counts").path("warn").asInt(), report.path("counts").path("notice").asInt());
        others.forEach(line -> System.out.println("  " + line));

        assertThat(report.path("total").asInt()).as("audits run").isGreaterThan(40);
        assertThat(mustFailures).as("failed MUST audits").isEmpty();
    }
}
