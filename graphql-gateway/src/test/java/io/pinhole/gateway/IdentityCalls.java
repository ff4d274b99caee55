package io.pinhole.gateway;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceFutureStub;
import io.pinhole.platform.server.Viewer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Records every call the gateway makes to svc-identity: a gRPC client interceptor added to the gateway's own
 * identity stub bean (the calls still go to the real service). Tests take {@link #mark()} before a request and read
 * {@link #since(int)} after it: the gateway answers only once all its calls are made, and a unary call's message is
 * sent when the call starts, so the list is complete when the response arrives.
 */
final class IdentityCalls {

    /** One call: the RPC's name ({@code GetUsers}), its request, and its {@value Viewer#HEADER} ("" when absent). */
    record Call(String method, Message request, String viewer) {}

    private static final Metadata.Key<String> VIEWER = Metadata.Key.of(Viewer.HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final List<Call> calls = new CopyOnWriteArrayList<>();

    private IdentityCalls() {}

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
                private String viewer = "";

                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    final String header = headers.get(VIEWER);
                    viewer = header == null ? "" : header;
                    super.start(listener, headers);
                }

                @Override
                public void sendMessage(Q message) {
                    calls.add(new Call(method.getBareMethodName(), (Message) message, viewer));
                    super.sendMessage(message);
                }
            };
        }
    };

    /** Wraps the gateway's identity stub with the recorder. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Recording {
        @Bean
        static BeanPostProcessor recordIdentityCalls() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    return bean instanceof IdentityServiceFutureStub stub ? stub.withInterceptors(RECORDER) : bean;
                }
            };
        }
    }
}
