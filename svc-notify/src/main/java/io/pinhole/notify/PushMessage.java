package io.pinhole.notify;

import java.util.List;

/**
 * One push to one device, already rendered for its locale.
 *
 * @param token the device token
 * @param appId APNs topic or FCM package; empty for the configured default
 * @param body the text in the device's locale (the fallback when the app has no string for {@code locKey})
 * @param locKey the localization key the app may render instead ({@code PushTexts})
 * @param locArgs its arguments (user names, a count, a comment excerpt)
 * @param badge the app icon badge
 * @param deepLink where a tap leads ({@code pinhole://media/<id>}, {@code pinhole://user/<id>})
 * @param collapseId a newer push with the same ID replaces the older on the device (aggregated likes)
 */
record PushMessage(String token, String appId, String body, String locKey, List<String> locArgs, int badge,
                   String deepLink, String collapseId) {
}
