package io.pinhole.identity;

import java.text.Normalizer;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The text form that typeahead compares: lower case, accents removed, spaces collapsed ("Zoë  Saldaña" → "zoe saldana"). */
final class SearchText {

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final int MAX_TERMS = 8;

    private SearchText() {}

    static String normalize(String text) {
        final String withoutAccents = MARKS.matcher(Normalizer.normalize(text, Normalizer.Form.NFD)).replaceAll("");
        return SPACES.matcher(withoutAccents.toLowerCase(Locale.ROOT)).replaceAll(" ").strip();
    }

    /** The terms a user is found by: the username, the whole full name and each word of it. */
    static Set<String> termsOf(String username, String fullName) {
        final Set<String> terms = new LinkedHashSet<>();
        terms.add(username);
        final String name = normalize(fullName);
        if (!name.isEmpty()) {
            terms.add(name);
            for (String word : name.split(" ")) {
                if (terms.size() < MAX_TERMS) {
                    terms.add(word);
                }
            }
        }
        return terms;
    }
}
