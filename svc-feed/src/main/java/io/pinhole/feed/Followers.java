package io.pinhole.feed;

import io.pinhole.common.v1.PageRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.ListFollowersRequest;
import io.pinhole.identity.v1.ListFollowersResponse;
import io.pinhole.identity.v1.ListFollowingRequest;
import io.pinhole.platform.server.Viewer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Pages through identity's follow lists, as the user themself (private accounts list their own follows). */
final class Followers {

    private static final int PAGE = 50;

    private final IdentityServiceBlockingStub identity;
    private final java.util.concurrent.Executor prefetch = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    Followers(IdentityServiceBlockingStub identity) {
        this.identity = identity;
    }

    /**
     * Hands {@code userId}'s followers to {@code batch}, a page at a time. The next page is asked for while
     * {@code batch} works on the current one, so a fan-out overlaps identity's reads with its own Redis writes.
     */
    void forEachPageOfFollowers(long userId, Consumer<List<Long>> batch) {
        final IdentityServiceBlockingStub asUser = Viewer.as(identity, userId);
        ListFollowersResponse page = followersPage(asUser, userId, "");
        while (true) {
            final String cursor = page.getPage().getNextCursor();
            final CompletableFuture<ListFollowersResponse> next = cursor.isEmpty() ? null
                    : CompletableFuture.supplyAsync(() -> followersPage(asUser, userId, cursor), prefetch);
            if (page.getUserIdsCount() > 0) {
                batch.accept(page.getUserIdsList());
            }
            if (next == null) {
                return;
            }
            try {
                page = next.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
            }
        }
    }

    private static ListFollowersResponse followersPage(IdentityServiceBlockingStub asUser, long userId, String cursor) {
        return asUser.listFollowers(ListFollowersRequest.newBuilder().setUserId(userId)
                .setPage(PageRequest.newBuilder().setLimit(PAGE).setCursor(cursor)).build());
    }

    /** Everyone {@code userId} follows (accepted), up to {@code max}. */
    List<Long> following(long userId, int max) {
        final IdentityServiceBlockingStub asUser = Viewer.as(identity, userId);
        final List<Long> followees = new ArrayList<>();
        String cursor = "";
        do {
            final var page = asUser.listFollowing(ListFollowingRequest.newBuilder().setUserId(userId)
                    .setPage(PageRequest.newBuilder().setLimit(PAGE).setCursor(cursor)).build());
            followees.addAll(page.getUserIdsList());
            cursor = page.getPage().getNextCursor();
        } while (!cursor.isEmpty() && followees.size() < max);
        return followees;
    }
}
