package io.pinhole.identity;

import io.pinhole.platform.error.PinholeException;
import io.pinhole.platform.shard.ShardMap;
import io.pinhole.platform.shard.ShardedDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.nio.ByteBuffer;

/**
 * Unique usernames and emails across all shards. A name is claimed in the logical shard named by a stable hash of
 * the lower-cased name (SHA-256, so it never changes with the JVM); the claim's primary key decides a race: of two
 * concurrent sign-ups for one name, one inserts and the other finds the row.
 *
 * <p>Sign-up claims the names before it writes the user in the user's own shard (another server, so not one
 * transaction). A crash in between leaves a claim whose user does not exist: such a claim is abandoned once it is
 * older than {@link #ABANDONED_AFTER} and the next sign-up for the name takes it over.
 */
final class NameClaims {

    static final String USERNAME = "username";
    static final String EMAIL = "email";
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(1);

    private final ShardedDatabase database;

    NameClaims(ShardedDatabase database) {
        this.database = database;
    }

    /** The logical shard holding the claim of {@code name}. */
    static int shardOf(String name, ShardMap shardMap) {
        try {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return (int) Math.floorMod(ByteBuffer.wrap(digest).getLong(), (long) shardMap.logicalShards());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Claims {@code name} of {@code kind} for {@code userId}; ALREADY_EXISTS (field {@code kind}) when someone else
     * holds it, unless their claim is abandoned.
     */
    void claim(String kind, String name, long userId) {
        final int shard = shardOf(name, database.shardMap());
        final String schema = ShardMap.schemaOf(shard);
        for (int attempt = 0; attempt < 2; attempt++) {
            final UserRow holder = database.inShard(shard, session -> {
                final IdentityMapper mapper = session.getMapper(IdentityMapper.class);
                return mapper.claim(schema, kind, name, userId) == 1 ? null : mapper.claimant(schema, kind, name);
            });
            if (holder == null || holder.id == userId) {
                return;
            }
            if (!isAbandoned(holder)) {
                break;
            }
            database.inShard(shard, session -> session.getMapper(IdentityMapper.class).release(schema, kind, name, holder.id));
        }
        throw PinholeException.alreadyExists(kind, "this " + kind + " is taken");
    }

    /** Gives a claim back (sign-up failed after claiming). */
    void release(String kind, String name, long userId) {
        final int shard = shardOf(name, database.shardMap());
        database.inShard(shard, session ->
                session.getMapper(IdentityMapper.class).release(ShardMap.schemaOf(shard), kind, name, userId));
    }

    private boolean isAbandoned(UserRow claim) {
        if (claim.createdAt.isAfter(Instant.now().minus(ABANDONED_AFTER))) {
            return false;
        }
        final UserRow user = database.inShard(io.pinhole.platform.id.PinholeIds.shard(claim.id),
                session -> session.getMapper(IdentityMapper.class).user(Users.schemaOf(claim.id), claim.id));
        return user == null;
    }
}
