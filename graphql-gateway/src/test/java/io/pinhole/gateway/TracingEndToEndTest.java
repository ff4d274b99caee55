package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.pinhole.platform.telemetry.Telemetry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One trace from the client through the gateway into svc-identity: the gateway continues the client's
 * {@code traceparent}, and the calls made on the request thread (Authenticate) and later on other threads
 * (ListFollowers, then GetUsers for the followers from a DataLoader) carry it into the real service, whose server
 * spans share the trace ID.
 */
class TracingEndToEndTest extends RealIdentityTest {

    private static final InMemorySpanExporter spans = InMemorySpanExporter.create();

    @BeforeAll
    static void recordSpans() {
        Telemetry.install(OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build());
    }

    @AfterAll
    static void stopRecording() {
        Telemetry.install(io.opentelemetry.api.OpenTelemetry.noop());
    }

    @Test
    void aRequestsTraceReachesTheServicesItCalls() throws Exception {
        final RealIdentity.Account account = RealIdentity.newAccount("traced");
        final RealIdentity.Account fan = RealIdentity.newAccount("fan");
        RealIdentity.as(fan.id()).follow(io.pinhole.identity.v1.FollowRequest.newBuilder().setUserId(account.id()).build());
        final String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest
                .newBuilder(URI.create("http://127.0.0.1:" + port + "/graphql"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + account.token())
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"query\":\"{ viewer { username followers(first: 5) { edges { node { username fullName } } } } }\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains(account.username()).contains(fan.username()).doesNotContain("errors");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            final List<SpanData> trace = spans.getFinishedSpanItems().stream()
                    .filter(span -> span.getTraceId().equals(traceId)).toList();
            assertThat(trace).anyMatch(span -> span.getKind() == SpanKind.SERVER && span.getName().equals("POST /graphql")
                    && span.getParentSpanId().equals("00f067aa0ba902b7"));
            // Authenticate runs on the request thread; ListFollowers in a data fetcher; GetUsers of the followers in a
            // DataLoader dispatched from the thread that completed ListFollowers
            for (String method : List.of("Authenticate", "ListFollowers", "GetUsers")) {
                final String name = "pinhole.identity.v1.IdentityService/" + method;
                assertThat(trace).as("client span of " + method)
                        .anyMatch(span -> span.getKind() == SpanKind.CLIENT && span.getName().equals(name));
                assertThat(trace).as("identity's server span of " + method)
                        .anyMatch(span -> span.getKind() == SpanKind.SERVER && span.getName().equals(name));
            }
        });
    }
}
