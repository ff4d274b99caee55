package io.pinhole.notify;

import com.google.protobuf.Timestamp;
import io.grpc.stub.StreamObserver;
import io.pinhole.geo.v1.GeoServiceGrpc.GeoServiceBlockingStub;
import io.pinhole.geo.v1.GetPlacesRequest;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.notify.v1.ConnectSharingAccountRequest;
import io.pinhole.notify.v1.ConnectSharingAccountResponse;
import io.pinhole.notify.v1.CreateSubscriptionRequest;
import io.pinhole.notify.v1.CreateSubscriptionResponse;
import io.pinhole.notify.v1.DeleteSubscriptionRequest;
import io.pinhole.notify.v1.DeleteSubscriptionResponse;
import io.pinhole.notify.v1.DisconnectSharingAccountRequest;
import io.pinhole.notify.v1.DisconnectSharingAccountResponse;
import io.pinhole.notify.v1.GetNotificationPreferencesRequest;
import io.pinhole.notify.v1.GetNotificationPreferencesResponse;
import io.pinhole.notify.v1.ListSharingAccountsRequest;
import io.pinhole.notify.v1.ListSharingAccountsResponse;
import io.pinhole.notify.v1.ListSubscriptionsRequest;
import io.pinhole.notify.v1.ListSubscriptionsResponse;
import io.pinhole.notify.v1.NotificationPreferences;
import io.pinhole.notify.v1.NotifyServiceGrpc;
import io.pinhole.notify.v1.DevicePlatform;
import io.pinhole.notify.v1.RegisterDeviceRequest;
import io.pinhole.notify.v1.RegisterDeviceResponse;
import io.pinhole.notify.v1.SharingAccount;
import io.pinhole.notify.v1.Subscription;
import io.pinhole.notify.v1.SubscriptionObject;
import io.pinhole.notify.v1.UnregisterDeviceRequest;
import io.pinhole.notify.v1.UnregisterDeviceResponse;
import io.pinhole.notify.v1.UpdateNotificationPreferencesRequest;
import io.pinhole.notify.v1.UpdateNotificationPreferencesResponse;
import io.pinhole.platform.error.PinholeException;
import io.pinhole.platform.server.Viewer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** {@code pinhole.notify.v1.NotifyService}: the viewer's devices, preferences, subscriptions and sharing accounts. */
final class NotifyService extends NotifyServiceGrpc.NotifyServiceImplBase {

    static final int MAX_DEVICES = 20;
    static final int MAX_SUBSCRIPTIONS = 100;
    private static final int MAX_TOKEN = 4096;
    private static final Pattern LANGUAGE_TAG = Pattern.compile("[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*");
    private static final Pattern TAG = Pattern.compile("[\\p{L}\\p{N}_]{1,100}");

    private final NotifyStore store;
    private final SecretBox secrets;
    private final Webhooks webhooks;
    private final Sharing sharing;
    private final IdentityServiceBlockingStub identity;
    private final GeoServiceBlockingStub geo;
    private final boolean allowPrivateCallbacks;
    private final SecureRandom random = new SecureRandom();

    NotifyService(NotifyStore store, SecretBox secrets, Webhooks webhooks, Sharing sharing,
                  IdentityServiceBlockingStub identity, GeoServiceBlockingStub geo, boolean allowPrivateCallbacks) {
        this.store = store;
        this.secrets = secrets;
        this.webhooks = webhooks;
        this.sharing = sharing;
        this.identity = identity;
        this.geo = geo;
        this.allowPrivateCallbacks = allowPrivateCallbacks;
    }

    // ---- devices ----

    @Override
    public void registerDevice(RegisterDeviceRequest request, StreamObserver<RegisterDeviceResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            deviceChecks(request.getPlatformValue(), request.getToken())
                    .addIf(request.getAppId().length() > 200, "app_id", "at most 200 characters")
                    .addIf(!request.getLocale().isEmpty() && (request.getLocale().length() > 35
                           || !LANGUAGE_TAG.matcher(request.getLocale()).matches()), "locale", "a BCP 47 tag such as en-US")
                    .throwIfAny();
            store.registerDevice(viewer, request.getPlatformValue(), request.getToken(), request.getAppId(),
                                 request.getLocale(), MAX_DEVICES);
            return RegisterDeviceResponse.getDefaultInstance();
        });
    }

    /** The checks a device's platform and token pass, in (un)registration alike. */
    private static PinholeException.Violations deviceChecks(int platform, String token) {
        return PinholeException.invalidArguments()
                .addIf(platform != DevicePlatform.DEVICE_PLATFORM_APNS_VALUE && platform != DevicePlatform.DEVICE_PLATFORM_FCM_VALUE,
                       "platform", "APNS or FCM")
                .addIf(token.isEmpty() || token.length() > MAX_TOKEN, "token", "1–4,096 characters");
    }

    @Override
    public void unregisterDevice(UnregisterDeviceRequest request, StreamObserver<UnregisterDeviceResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            deviceChecks(request.getPlatformValue(), request.getToken())
                    .throwIfAny();
            return UnregisterDeviceResponse.newBuilder()
                    .setRemoved(store.unregisterDevice(viewer, request.getPlatformValue(), request.getToken())).build();
        });
    }

    // ---- preferences ----

    @Override
    public void getNotificationPreferences(GetNotificationPreferencesRequest request,
                                           StreamObserver<GetNotificationPreferencesResponse> responses) {
        answer(responses, () -> GetNotificationPreferencesResponse.newBuilder()
                .setPreferences(toProto(store.preferences(Viewer.require()))).build());
    }

    @Override
    public void updateNotificationPreferences(UpdateNotificationPreferencesRequest request,
                                              StreamObserver<UpdateNotificationPreferencesResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final NotifyMapper.Preferences updated = store.updatePreferences(viewer,
                    request.hasLikes() ? request.getLikes() : null,
                    request.hasComments() ? request.getComments() : null,
                    request.hasFollows() ? request.getFollows() : null,
                    request.hasFollowRequests() ? request.getFollowRequests() : null,
                    request.hasMentions() ? request.getMentions() : null);
            return UpdateNotificationPreferencesResponse.newBuilder().setPreferences(toProto(updated)).build();
        });
    }

    private static NotificationPreferences toProto(NotifyMapper.Preferences p) {
        return NotificationPreferences.newBuilder().setLikes(p.likes).setComments(p.comments).setFollows(p.follows)
                .setFollowRequests(p.followRequests).setMentions(p.mentions).build();
    }

    // ---- subscriptions ----

    @Override
    public void createSubscription(CreateSubscriptionRequest request, StreamObserver<CreateSubscriptionResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final int object = request.getObjectValue();
            final String objectId = normalizedObjectId(object, request.getObjectId().strip());
            final PinholeException.Violations violations = PinholeException.invalidArguments()
                    .addIf(object < 1 || object > 3, "object", "USER, TAG or LOCATION")
                    .addIf(object >= 1 && object <= 3 && objectId == null, "object_id", switch (object) {
                        case NotifyStore.TAG -> "a tag name: letters, digits and _, 1–100 characters";
                        default -> "a decimal ID";
                    })
                    .addIf(request.getCallbackUrl().isEmpty() || request.getCallbackUrl().length() > 2048,
                           "callback_url", "an http or https URL of at most 2,048 characters")
                    .addIf(request.getVerifyToken().length() > 200, "verify_token", "at most 200 characters");
            violations.throwIfAny();
            final CallbackUrls.Verdict verdict = CallbackUrls.check(request.getCallbackUrl(), allowPrivateCallbacks);
            if (!verdict.allowed()) {
                throw PinholeException.invalidArgument("callback_url", verdict.refusal());
            }
            if (object == NotifyStore.USER) {
                final long userId = Long.parseLong(objectId);
                if (!Viewer.as(identity, viewer).getUsers(GetUsersRequest.newBuilder().addUserIds(userId).build())
                           .containsUsers(userId)) {
                    throw PinholeException.notFound("no user " + objectId);
                }
            } else if (object == NotifyStore.LOCATION) {
                final long placeId = Long.parseLong(objectId);
                if (!Viewer.as(geo, viewer).getPlaces(GetPlacesRequest.newBuilder().addPlaceIds(placeId).build())
                           .containsPlaces(placeId)) {
                    throw PinholeException.notFound("no place " + objectId);
                }
            }
            if (store.subscriptionsOf(viewer).size() >= MAX_SUBSCRIPTIONS) {
                throw PinholeException.resourceExhausted("at most " + MAX_SUBSCRIPTIONS + " subscriptions per user",
                                                         Duration.ZERO);
            }
            final String challenge = randomHex(16);
            if (!webhooks.challenge(verdict.uri(), request.getVerifyToken(), challenge)) {
                throw PinholeException.failedPrecondition("the callback did not answer the challenge (2xx with"
                        + " hub.challenge as the body)");
            }
            final int shard = store.objectShard(object, objectId);
            final String secret = randomHex(32);
            final NotifyMapper.Subscription row = new NotifyMapper.Subscription();
            row.id = store.newSubscriptionId(shard);
            row.subscriberId = viewer;
            row.object = object;
            row.objectId = objectId;
            row.callbackUrl = request.getCallbackUrl();
            row.secret = secrets.seal(secret, Webhooks.associatedData(row.id));
            return CreateSubscriptionResponse.newBuilder().setSubscription(toProto(store.insertSubscription(shard, row)))
                    .setSigningSecret(secret).build();
        });
    }

    /** The stored form of an object ID (a tag lower-case without '#'); null when malformed. */
    private static String normalizedObjectId(int object, String objectId) {
        if (objectId.isEmpty() || objectId.length() > 100) {
            return null;
        }
        if (object == NotifyStore.TAG) {
            final String tag = (objectId.startsWith("#") ? objectId.substring(1) : objectId).toLowerCase(Locale.ROOT);
            return TAG.matcher(tag).matches() ? tag : null;
        }
        try {
            final long id = Long.parseLong(objectId);
            return id > 0 ? Long.toString(id) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void listSubscriptions(ListSubscriptionsRequest request, StreamObserver<ListSubscriptionsResponse> responses) {
        answer(responses, () -> {
            final ListSubscriptionsResponse.Builder response = ListSubscriptionsResponse.newBuilder();
            store.subscriptionsOf(Viewer.require()).stream().limit(MAX_SUBSCRIPTIONS)
                 .forEach(row -> response.addSubscriptions(toProto(row)));
            return response.build();
        });
    }

    @Override
    public void deleteSubscription(DeleteSubscriptionRequest request, StreamObserver<DeleteSubscriptionResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            if (request.getSubscriptionId() <= 0) {
                throw PinholeException.invalidArgument("subscription_id", "required");
            }
            return DeleteSubscriptionResponse.newBuilder()
                    .setDeleted(store.deleteSubscription(request.getSubscriptionId(), viewer)).build();
        });
    }

    private static Subscription toProto(NotifyMapper.Subscription row) {
        return Subscription.newBuilder().setId(row.id).setObject(SubscriptionObject.forNumber(row.object))
                .setObjectId(row.objectId).setCallbackUrl(row.callbackUrl).setActive(row.active)
                .setCreatedAt(timestamp(row.createdAt)).build();
    }

    // ---- sharing ----

    @Override
    public void connectSharingAccount(ConnectSharingAccountRequest request,
                                      StreamObserver<ConnectSharingAccountResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final String provider = request.getProvider().strip().toLowerCase(Locale.ROOT);
            PinholeException.invalidArguments()
                    .addIf(!sharing.knows(provider), "provider", "not a configured provider")
                    .addIf(request.getAccessToken().isEmpty() || request.getAccessToken().length() > MAX_TOKEN,
                           "access_token", "1–4,096 characters")
                    .addIf(request.getDisplayName().codePointCount(0, request.getDisplayName().length()) > 100,
                           "display_name", "at most 100 characters")
                    .throwIfAny();
            final NotifyMapper.SharingAccount account = store.connect(viewer, provider,
                    secrets.seal(request.getAccessToken(), Sharing.associatedData(viewer, provider)),
                    request.getDisplayName());
            return ConnectSharingAccountResponse.newBuilder().setAccount(toProto(account)).build();
        });
    }

    @Override
    public void listSharingAccounts(ListSharingAccountsRequest request,
                                    StreamObserver<ListSharingAccountsResponse> responses) {
        answer(responses, () -> {
            final ListSharingAccountsResponse.Builder response = ListSharingAccountsResponse.newBuilder();
            store.accounts(Viewer.require()).forEach(account -> response.addAccounts(toProto(account)));
            return response.build();
        });
    }

    @Override
    public void disconnectSharingAccount(DisconnectSharingAccountRequest request,
                                         StreamObserver<DisconnectSharingAccountResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final String provider = request.getProvider().strip().toLowerCase(Locale.ROOT);
            if (provider.isEmpty()) {
                throw PinholeException.invalidArgument("provider", "required");
            }
            // Not checked against the configured providers (an account may outlive its provider's configuration),
            // but PostgreSQL refuses NUL in text: a name no provider has must not become an INTERNAL.
            if (provider.length() > 64 || provider.chars().anyMatch(Character::isISOControl)) {
                throw PinholeException.invalidArgument("provider", "not a provider name");
            }
            return DisconnectSharingAccountResponse.newBuilder().setDisconnected(store.disconnect(viewer, provider)).build();
        });
    }

    private static SharingAccount toProto(NotifyMapper.SharingAccount account) {
        return SharingAccount.newBuilder().setProvider(account.provider).setDisplayName(account.displayName)
                .setConnectedAt(timestamp(account.connectedAt)).build();
    }

    // ---- helpers ----

    private String randomHex(int bytes) {
        final byte[] value = new byte[bytes];
        random.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    private static <T> void answer(StreamObserver<T> responses, Supplier<T> work) {
        responses.onNext(work.get());
        responses.onCompleted();
    }
}
