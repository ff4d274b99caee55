package io.pinhole.gateway;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.MethodDescriptor;
import io.pinhole.feed.v1.FeedServiceGrpc.FeedServiceFutureStub;
import io.pinhole.geo.v1.GeoServiceGrpc.GeoServiceFutureStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.notify.v1.NotifyServiceGrpc.NotifyServiceFutureStub;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Records every call the gateway makes to svc-media, svc-feed, svc-geo and svc-notify, as {@link IdentityCalls} does for identity: an
 * interceptor on the gateway's own stub beans (the media client makes its unary stub on the recorded channel, so
 * both its unary calls and uploads are seen). A client stream is recorded once, with its first message.
 */
final class BackendCalls {

    /** One call: the RPC's name ({@code GetMedia}) and its (first) request. */
    record Call(String method, Message request) {}

    private static final List<Call> calls = new CopyOnWriteArrayList<>();

    private BackendCalls() {}

    static int mark() {
        return calls.size();
    }

    static List<Call> since(int mark) {
        return List.copyOf(calls.subList(mark, calls.size()));
    }

    static List<Call> since(int mark, String method) {
        return since(mark).stream().filter(call -> call.method().equals(method)).toList();
    }

    private static final ClientInterceptor RECORDER = new ClientInterceptor() {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
                private boolean recorded;

                @Override
                public void sendMessage(Q message) {
                    if (!recorded) {
                        recorded = true;
                        calls.add(new Call(method.getBareMethodName(), (Message) message));
                    }
                    super.sendMessage(message);
                }
            };
        }
    };

    /** Wraps the gateway's media, feed, geo and notify stubs with the recorder. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Recording {
        @Bean
        static BeanPostProcessor recordBackendCalls() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    return switch (bean) {
                        case MediaServiceStub stub -> stub.withInterceptors(RECORDER);
                        case FeedServiceFutureStub stub -> stub.withInterceptors(RECORDER);
                        case GeoServiceFutureStub stub -> stub.withInterceptors(RECORDER);
                        case NotifyServiceFutureStub stub -> stub.withInterceptors(RECORDER);
                        default -> bean;
                    };
                }
            };
        }
    }
}
