package io.pinhole.notify;

import static io.pinhole.notify.NotifyFixture.notifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.notify.v1.DevicePlatform;
import io.pinhole.notify.v1.GetNotificationPreferencesRequest;
import io.pinhole.notify.v1.NotificationPreferences;
import io.pinhole.notify.v1.RegisterDeviceRequest;
import io.pinhole.notify.v1.UnregisterDeviceRequest;
import io.pinhole.notify.v1.UpdateNotificationPreferencesRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, NotifyFixture.class})
class DevicesAndPreferencesTest {

    private static RegisterDeviceRequest apns(String token) {
        return RegisterDeviceRequest.newBuilder().setPlatform(DevicePlatform.DEVICE_PLATFORM_APNS).setToken(token).build();
    }

    private static List<String> violatedFields(StatusRuntimeException error) throws Exception {
        return StatusProto.fromThrowable(error).getDetailsList().stream().filter(d -> d.is(BadRequest.class))
                .flatMap(d -> {
                    try {
                        return d.unpack(BadRequest.class).getFieldViolationsList().stream();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).map(BadRequest.FieldViolation::getField).toList();
    }

    @Test
    void registerDevice_badFields_areInvalidArgument_withOneViolationEach() throws Exception {
        final long user = NotifyFixture.newUser(NotifyFixture.username("dev"));
        final var error = catchThrowableOfType(StatusRuntimeException.class, () -> notifier(user).registerDevice(
                RegisterDeviceRequest.newBuilder().setToken("").setLocale("not a locale!").build()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(violatedFields(error)).containsExactlyInAnyOrder("platform", "token", "locale");

        final var tooLong = catchThrowableOfType(StatusRuntimeException.class,
                () -> notifier(user).registerDevice(apns("a".repeat(4097))));
        assertThat(violatedFields(tooLong)).containsExactly("token");
    }

    @Test
    void everyRpc_needsAViewer() {
        final var error = catchThrowableOfType(StatusRuntimeException.class, () -> NotifyFixture.anonymousNotify()
                .getNotificationPreferences(GetNotificationPreferencesRequest.getDefaultInstance()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void registerDevice_isIdempotent_andAMaxLengthTokenWorks_andUnregisterSaysWhetherItRemoved() {
        final long user = NotifyFixture.newUser(NotifyFixture.username("dev"));
        final String longToken = "t".repeat(4096);
        notifier(user).registerDevice(apns(longToken));
        notifier(user).registerDevice(apns(longToken).toBuilder().setLocale("es-ES").build());

        final UnregisterDeviceRequest unregister = UnregisterDeviceRequest.newBuilder()
                .setPlatform(DevicePlatform.DEVICE_PLATFORM_APNS).setToken(longToken).build();
        assertThat(notifier(user).unregisterDevice(unregister).getRemoved()).isTrue();
        assertThat(notifier(user).unregisterDevice(unregister).getRemoved()).isFalse();
    }

    @Test
    void aTokenRegisteredByAnotherUser_movesToThem() {
        final long first = NotifyFixture.newUser(NotifyFixture.username("dev"));
        final long second = NotifyFixture.newUser(NotifyFixture.username("dev"));
        notifier(first).registerDevice(apns("shared-token-" + first));
        notifier(second).registerDevice(apns("shared-token-" + first));

        final UnregisterDeviceRequest unregister = UnregisterDeviceRequest.newBuilder()
                .setPlatform(DevicePlatform.DEVICE_PLATFORM_APNS).setToken("shared-token-" + first).build();
        assertThat(notifier(first).unregisterDevice(unregister).getRemoved()).isFalse();
        assertThat(notifier(second).unregisterDevice(unregister).getRemoved()).isTrue();
    }

    @Test
    void theTwentyFirstDevice_dropsTheLeastRecentlyRegistered() {
        final long user = NotifyFixture.newUser(NotifyFixture.username("dev"));
        for (int i = 0; i < 21; i++) {
            notifier(user).registerDevice(apns("device-" + user + "-" + i));
        }
        final var first = UnregisterDeviceRequest.newBuilder().setPlatform(DevicePlatform.DEVICE_PLATFORM_APNS)
                .setToken("device-" + user + "-0").build();
        final var last = first.toBuilder().setToken("device-" + user + "-20").build();
        final var second = first.toBuilder().setToken("device-" + user + "-1").build();
        assertThat(notifier(user).unregisterDevice(first).getRemoved()).isFalse();
        assertThat(notifier(user).unregisterDevice(second).getRemoved()).isTrue();
        assertThat(notifier(user).unregisterDevice(last).getRemoved()).isTrue();
    }

    @Test
    void preferences_areAllOn_untilChanged_andOnlyPresentFieldsChange() {
        final long user = NotifyFixture.newUser(NotifyFixture.username("pref"));
        final NotificationPreferences allOn = NotificationPreferences.newBuilder().setLikes(true).setComments(true)
                .setFollows(true).setFollowRequests(true).setMentions(true).build();
        assertThat(notifier(user).getNotificationPreferences(GetNotificationPreferencesRequest.getDefaultInstance())
                .getPreferences()).isEqualTo(allOn);

        assertThat(notifier(user).updateNotificationPreferences(UpdateNotificationPreferencesRequest.newBuilder()
                .setLikes(false).build()).getPreferences()).isEqualTo(allOn.toBuilder().setLikes(false).build());
        assertThat(notifier(user).updateNotificationPreferences(UpdateNotificationPreferencesRequest.newBuilder()
                .setMentions(false).build()).getPreferences())
                .isEqualTo(allOn.toBuilder().setLikes(false).setMentions(false).build());
        assertThat(notifier(user).updateNotificationPreferences(UpdateNotificationPreferencesRequest.getDefaultInstance())
                .getPreferences()).isEqualTo(allOn.toBuilder().setLikes(false).setMentions(false).build());
        assertThat(notifier(user).getNotificationPreferences(GetNotificationPreferencesRequest.getDefaultInstance())
                .getPreferences()).isEqualTo(allOn.toBuilder().setLikes(false).setMentions(false).build());
    }
}
