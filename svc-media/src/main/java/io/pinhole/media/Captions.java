package io.pinhole.media;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hashtags and @mentions in captions and comments. A hashtag is '#' and then letters, digits (any script) and '_',
 * up to 100; a mention is '@' and then a username (a–z, 0–9, '.', '_', up to 30). Neither starts in the middle of a
 * word ("a#b", "me@example.com" hold none). Both are lower-cased and kept in order of first appearance.
 */
final class Captions {

    static final int MAX_TAG = 100;
    static final int MAX_TAGS = 30;
    private static final Pattern TAG_NAME = Pattern.compile("[\\p{L}\\p{N}\\p{M}_]{1,100}");
    private static final Pattern HASHTAG = Pattern.compile("(?<![\\p{L}\\p{N}\\p{M}_&])#([\\p{L}\\p{N}\\p{M}_]+)");
    private static final Pattern MENTION = Pattern.compile("(?<![\\p{L}\\p{N}_.@])@([A-Za-z0-9._]{1,30})(?![A-Za-z0-9_])");

    private Captions() {}

    /** What a text holds: hashtags (lower case, without '#') and mentioned usernames (lower case, without '@'). */
    record Parsed(List<String> tags, List<String> mentions) {}

    static Parsed parse(String text) {
        final Set<String> tags = new LinkedHashSet<>();
        final Matcher hashtags = HASHTAG.matcher(text);
        while (hashtags.find()) {
            final String tag = hashtags.group(1).toLowerCase(Locale.ROOT);
            if (tag.codePointCount(0, tag.length()) <= MAX_TAG) {
                tags.add(tag);
            }
        }
        final Set<String> mentions = new LinkedHashSet<>();
        final Matcher names = MENTION.matcher(text);
        while (names.find()) {
            String name = names.group(1).toLowerCase(Locale.ROOT);
            while (name.endsWith(".")) { // "thanks @ann." mentions ann
                name = name.substring(0, name.length() - 1);
            }
            if (!name.isEmpty()) {
                mentions.add(name);
            }
        }
        return new Parsed(new ArrayList<>(tags), new ArrayList<>(mentions));
    }

    /** A tag name as a client typed it (a leading '#' ignored), lower-cased; empty when malformed. */
    static Optional<String> tagName(String typed) {
        final String name = typed.startsWith("#") ? typed.substring(1) : typed;
        return TAG_NAME.matcher(name).matches() ? Optional.of(name.toLowerCase(Locale.ROOT)) : Optional.empty();
    }
}
