package io.pinhole.identity;

import io.pinhole.identity.v1.User;
import io.pinhole.platform.shard.ShardMap;
import io.pinhole.platform.shard.ShardedDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Typeahead over usernames and full names across all shards. The fan-out is bounded: one query per physical
 * server (covering all of its logical shards with a UNION of per-shard index range scans, each limited), run in
 * parallel with a deadline; the per-server best matches are merged and ranked here.
 */
final class UserSearch implements AutoCloseable {

    private static final Comparator<User> RANKING = Comparator.comparingLong(User::getFollowerCount).reversed()
                                                               .thenComparingLong(User::getId);

    private final ShardedDatabase database;
    private final Duration deadline;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    UserSearch(ShardedDatabase database, Duration deadline) {
        this.database = database;
        this.deadline = deadline;
    }

    /** The best {@code limit} users for {@code query} (already normalized), leaving out {@code hidden}. */
    List<User> search(String query, int limit, Set<Long> hidden) {
        // Byte order of the "C" collation: every term starting with `query` sorts in [query, query + U+10FFFF).
        final String upperBound = query + new String(Character.toChars(Character.MAX_CODE_POINT));
        final int perShard = limit + hidden.size();
        final List<CompletableFuture<List<UserRow>>> servers = new ArrayList<>();
        for (int server = 0; server < database.shardMap().physicalServers(); server++) {
            final int physical = server;
            final List<String> schemas = database.shardMap().logicalShardsOn(physical).stream().map(ShardMap::schemaOf).toList();
            if (!schemas.isEmpty()) {
                servers.add(CompletableFuture.supplyAsync(() -> database.onServer(physical, session ->
                        session.getMapper(IdentityMapper.class).search(schemas, query, upperBound, query, perShard)), executor));
            }
        }
        final List<User> found = new ArrayList<>();
        try {
            CompletableFuture.allOf(servers.toArray(CompletableFuture[]::new)).get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            for (CompletableFuture<List<UserRow>> server : servers) {
                server.join().stream().map(UserRow::toUser).filter(user -> !hidden.contains(user.getId())).forEach(found::add);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while searching", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            servers.forEach(server -> server.cancel(true));
            throw new io.grpc.StatusRuntimeException(io.grpc.Status.UNAVAILABLE.withDescription("user search timed out"));
        }
        return found.stream()
                    .sorted(Comparator.comparing((User user) -> !user.getUsername().equals(query)).thenComparing(RANKING))
                    .limit(limit)
                    .toList();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
