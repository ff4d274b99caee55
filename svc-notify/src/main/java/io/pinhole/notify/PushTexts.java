package io.pinhole.notify;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Push texts: a localization key and its arguments (the app renders its own translation, iOS {@code loc-key},
 * Android {@code body_loc_key}) plus the text rendered here in the device's language as the fallback body. Languages
 * without a catalog fall back to English. Arguments: user names first, then a count or a comment excerpt.
 */
final class PushTexts {

    /** A rendered text. */
    record Text(String locKey, List<String> args, String body) {}

    private static final int EXCERPT = 100;

    private static final Map<String, Map<String, String>> CATALOGS = Map.of(
            "en", Map.ofEntries(
                    Map.entry("LIKE_ONE", "%1$s liked your photo."),
                    Map.entry("LIKE_TWO", "%1$s and %2$s liked your photo."),
                    Map.entry("LIKE_MANY", "%1$s and %2$s others liked your photo."),
                    Map.entry("FOLLOW_ONE", "%1$s started following you."),
                    Map.entry("FOLLOW_TWO", "%1$s and %2$s started following you."),
                    Map.entry("FOLLOW_MANY", "%1$s and %2$s others started following you."),
                    Map.entry("FOLLOW_REQUEST", "%1$s has requested to follow you."),
                    Map.entry("FOLLOW_ACCEPTED", "%1$s accepted your follow request."),
                    Map.entry("COMMENT", "%1$s commented: %2$s"),
                    Map.entry("MENTION_COMMENT", "%1$s mentioned you in a comment: %2$s"),
                    Map.entry("MENTION_MEDIA", "%1$s mentioned you in a post.")),
            "es", Map.ofEntries(
                    Map.entry("LIKE_ONE", "A %1$s le gustó tu foto."),
                    Map.entry("LIKE_TWO", "A %1$s y %2$s les gustó tu foto."),
                    Map.entry("LIKE_MANY", "A %1$s y %2$s personas más les gustó tu foto."),
                    Map.entry("FOLLOW_ONE", "%1$s comenzó a seguirte."),
                    Map.entry("FOLLOW_TWO", "%1$s y %2$s comenzaron a seguirte."),
                    Map.entry("FOLLOW_MANY", "%1$s y %2$s personas más comenzaron a seguirte."),
                    Map.entry("FOLLOW_REQUEST", "%1$s quiere seguirte."),
                    Map.entry("FOLLOW_ACCEPTED", "%1$s aceptó tu solicitud de seguimiento."),
                    Map.entry("COMMENT", "%1$s comentó: %2$s"),
                    Map.entry("MENTION_COMMENT", "%1$s te mencionó en un comentario: %2$s"),
                    Map.entry("MENTION_MEDIA", "%1$s te mencionó en una publicación.")));

    private PushTexts() {}

    /**
     * The text of a notification of {@code kind} (a {@link Notifications.Kind} name) from {@code names} (the one or
     * two actors shown) out of {@code total} actors.
     */
    static Text render(String languageTag, String kind, List<String> names, long total, String comment) {
        final String key;
        final List<String> args;
        switch (kind) {
            case "LIKE", "FOLLOW" -> {
                if (total <= 1 || names.size() < 2) {
                    key = total <= 1 ? kind + "_ONE" : kind + "_MANY";
                    args = total <= 1 ? List.of(names.get(0)) : List.of(names.get(0), Long.toString(total - 1));
                } else if (total == 2) {
                    key = kind + "_TWO";
                    args = List.of(names.get(0), names.get(1));
                } else {
                    key = kind + "_MANY";
                    args = List.of(names.get(0), Long.toString(total - 1));
                }
            }
            case "COMMENT", "MENTION_COMMENT" -> {
                key = kind;
                args = List.of(names.get(0), excerpt(comment));
            }
            default -> {
                key = kind;
                args = List.of(names.get(0));
            }
        }
        final Map<String, String> catalog = CATALOGS.getOrDefault(language(languageTag), CATALOGS.get("en"));
        return new Text(key, args, String.format(Locale.ROOT, catalog.get(key), args.toArray()));
    }

    private static String language(String tag) {
        return tag == null || tag.isEmpty() ? "en" : Locale.forLanguageTag(tag).getLanguage();
    }

    private static String excerpt(String text) {
        final String flat = text == null ? "" : text.replaceAll("\\s+", " ").strip();
        return flat.codePointCount(0, flat.length()) <= EXCERPT ? flat
                : flat.substring(0, flat.offsetByCodePoints(0, EXCERPT - 1)) + "…";
    }
}
