package io.pinhole.gateway.media;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * The key of a first-page DataLoader ({@code likers(first: 3)} of media 42 is {@code FirstPage(42, 3)}): svc-media's
 * batch list RPCs take one limit per call, so a batch makes one call per distinct {@code first} (in practice one:
 * a query asks the same page size at one level).
 *
 * @param id the media or user whose first page it is
 * @param limit the page size, 1–50
 */
record FirstPage(long id, int limit) {

    /**
     * Loads {@code keys} with one {@code call(ids, limit)} per distinct limit; keys the call leaves out are absent
     * from the answer.
     */
    static <V> CompletableFuture<Map<FirstPage, V>> load(Set<FirstPage> keys,
                                                         BiFunction<Set<Long>, Integer, CompletableFuture<Map<Long, V>>> call) {
        final Map<Integer, Set<Long>> idsByLimit = keys.stream().collect(Collectors.groupingBy(
                FirstPage::limit, Collectors.mapping(FirstPage::id, Collectors.toCollection(HashSet::new))));
        final List<CompletableFuture<Map<FirstPage, V>>> calls = idsByLimit.entrySet().stream()
                .map(entry -> call.apply(entry.getValue(), entry.getKey()).thenApply(pages -> {
                    final Map<FirstPage, V> found = new HashMap<>();
                    pages.forEach((id, page) -> found.put(new FirstPage(id, entry.getKey()), page));
                    return found;
                }))
                .toList();
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(done -> {
            final Map<FirstPage, V> all = new HashMap<>();
            calls.forEach(each -> all.putAll(each.join()));
            return all;
        });
    }
}
