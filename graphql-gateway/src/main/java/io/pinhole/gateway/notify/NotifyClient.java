package io.pinhole.gateway.notify;

import static io.pinhole.gateway.client.Grpc.toCompletable;
import static java.util.Objects.requireNonNull;

import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.notify.v1.DevicePlatform;
import io.pinhole.notify.v1.NotifyServiceGrpc.NotifyServiceFutureStub;
import io.pinhole.notify.v1.RegisterDeviceRequest;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;

/**
 * svc-notify as the gateway uses it, through the one stub of {@code GatewayConfiguration} (deadline, circuit breaker
 * {@code svc-notify}), as the viewer.
 */
@Component
public class NotifyClient {

    private final NotifyServiceFutureStub stub;

    public NotifyClient(NotifyServiceFutureStub notifyStub) {
        this.stub = requireNonNull(notifyStub, "notifyStub");
    }

    /** Registers (or refreshes) the signed-in viewer's device; {@code platform} is the GraphQL enum's name. */
    public CompletableFuture<Boolean> registerDevice(ViewerContext viewer, String platform, String token, String appId,
                                                     String locale) {
        final RegisterDeviceRequest request = RegisterDeviceRequest.newBuilder()
                .setPlatform(switch (platform) {
                    case "APNS" -> DevicePlatform.DEVICE_PLATFORM_APNS;
                    case "FCM" -> DevicePlatform.DEVICE_PLATFORM_FCM;
                    default -> DevicePlatform.DEVICE_PLATFORM_UNSPECIFIED; // svc-notify names the field
                })
                .setToken(token).setAppId(appId == null ? "" : appId).setLocale(locale == null ? "" : locale).build();
        return toCompletable(viewer.stub(stub).registerDevice(request)).thenApply(response -> true);
    }
}
