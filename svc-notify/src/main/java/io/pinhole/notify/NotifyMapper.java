package io.pinhole.notify;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Options;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/**
 * svc-notify's SQL. Every statement names its shard's schema ({@code ${schema}}, always made by
 * {@code ShardMap.schemaOf}, never from input), so that one statement can cover several logical shards of a server.
 */
interface NotifyMapper {

    // ---- devices ----

    @Select("SELECT user_id FROM ${schema}.device_claims WHERE platform = #{platform} AND token_hash = #{hash} FOR UPDATE")
    Long claimOwnerForUpdate(@Param("schema") String schema, @Param("platform") int platform, @Param("hash") byte[] hash);

    @Select("SELECT user_id FROM ${schema}.device_claims WHERE platform = #{platform} AND token_hash = #{hash}")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    Long claimOwner(@Param("schema") String schema, @Param("platform") int platform, @Param("hash") byte[] hash);

    @Insert("INSERT INTO ${schema}.device_claims (platform, token_hash, user_id) VALUES (#{platform}, #{hash}, #{userId})"
            + " ON CONFLICT (platform, token_hash) DO UPDATE SET user_id = EXCLUDED.user_id")
    void claim(@Param("schema") String schema, @Param("platform") int platform, @Param("hash") byte[] hash,
               @Param("userId") long userId);

    @Delete("DELETE FROM ${schema}.device_claims WHERE platform = #{platform} AND token_hash = #{hash} AND user_id = #{userId}")
    int unclaim(@Param("schema") String schema, @Param("platform") int platform, @Param("hash") byte[] hash,
                @Param("userId") long userId);

    @Insert("INSERT INTO ${schema}.devices (user_id, platform, token_hash, token, app_id, locale) VALUES (#{userId},"
            + " #{platform}, #{hash}, #{token}, #{appId}, #{locale}) ON CONFLICT (user_id, platform, token_hash) DO UPDATE SET app_id ="
            + " EXCLUDED.app_id, locale = EXCLUDED.locale, registered_at = now()")
    void upsertDevice(@Param("schema") String schema, @Param("userId") long userId, @Param("platform") int platform,
                      @Param("hash") byte[] hash, @Param("token") String token, @Param("appId") String appId, @Param("locale") String locale);

    /** Drops the user's least recently registered devices beyond {@code keep}; answers the removed tokens. */
    @Select("DELETE FROM ${schema}.devices d USING (SELECT platform, token_hash FROM ${schema}.devices WHERE"
            + " user_id = #{userId} ORDER BY registered_at DESC, token_hash OFFSET #{keep}) old WHERE d.user_id ="
            + " #{userId} AND d.platform = old.platform AND d.token_hash = old.token_hash RETURNING d.user_id, d.platform, d.token, d.app_id,"
            + " d.locale")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    List<Device> trimDevices(@Param("schema") String schema, @Param("userId") long userId, @Param("keep") int keep);

    @Delete("DELETE FROM ${schema}.devices WHERE user_id = #{userId} AND platform = #{platform} AND token_hash = #{hash}")
    int deleteDevice(@Param("schema") String schema, @Param("userId") long userId, @Param("platform") int platform,
                     @Param("hash") byte[] hash);

    @Select("SELECT user_id, platform, token, app_id, locale FROM ${schema}.devices WHERE user_id = #{userId}"
            + " ORDER BY registered_at DESC, token_hash")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    List<Device> devices(@Param("schema") String schema, @Param("userId") long userId);

    // ---- preferences ----

    @Select("SELECT likes, comments, follows, follow_requests, mentions FROM ${schema}.preferences WHERE user_id = #{userId}")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    Preferences preferences(@Param("schema") String schema, @Param("userId") long userId);

    @Select("INSERT INTO ${schema}.preferences AS p (user_id, likes, comments, follows, follow_requests, mentions)"
            + " VALUES (#{userId}, COALESCE(#{likes}, true), COALESCE(#{comments}, true), COALESCE(#{follows}, true),"
            + " COALESCE(#{followRequests}, true), COALESCE(#{mentions}, true)) ON CONFLICT (user_id) DO UPDATE SET"
            + " likes = COALESCE(#{likes}, p.likes), comments = COALESCE(#{comments}, p.comments),"
            + " follows = COALESCE(#{follows}, p.follows), follow_requests = COALESCE(#{followRequests},"
            + " p.follow_requests), mentions = COALESCE(#{mentions}, p.mentions)"
            + " RETURNING likes, comments, follows, follow_requests, mentions")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    Preferences updatePreferences(@Param("schema") String schema, @Param("userId") long userId,
                                  @Param("likes") Boolean likes, @Param("comments") Boolean comments,
                                  @Param("follows") Boolean follows, @Param("followRequests") Boolean followRequests,
                                  @Param("mentions") Boolean mentions);

    // ---- subscriptions ----

    String SUBSCRIPTION_COLUMNS = " id, subscriber_id, object, object_id, callback_url, secret, active,"
                                  + " consecutive_failures, created_at ";

    @Select("SELECT ${schema}.next_id()")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    long nextId(@Param("schema") String schema);

    @Select("INSERT INTO ${schema}.subscriptions (id, subscriber_id, object, object_id, callback_url, secret) VALUES"
            + " (#{s.id}, #{s.subscriberId}, #{s.object}, #{s.objectId}, #{s.callbackUrl}, #{s.secret})"
            + " RETURNING" + SUBSCRIPTION_COLUMNS)
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    Subscription insertSubscription(@Param("schema") String schema, @Param("s") Subscription subscription);

    /** The subscriber's subscriptions in several shards of one server, one statement. */
    @Select("""
            <script>
            <foreach collection="schemas" item="schema" separator=" UNION ALL ">
              SELECT""" + SUBSCRIPTION_COLUMNS + """
              FROM ${schema}.subscriptions WHERE subscriber_id = #{subscriberId}
            </foreach>
            </script>""")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    List<Subscription> subscriptionsOf(@Param("schemas") List<String> schemas, @Param("subscriberId") long subscriberId);

    @Select("SELECT" + SUBSCRIPTION_COLUMNS + "FROM ${schema}.subscriptions WHERE id = #{id}")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    Subscription subscription(@Param("schema") String schema, @Param("id") long id);

    @Select("SELECT" + SUBSCRIPTION_COLUMNS + "FROM ${schema}.subscriptions WHERE object = #{object} AND object_id ="
            + " #{objectId} AND active")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    List<Subscription> activeSubscriptions(@Param("schema") String schema, @Param("object") int object,
                                           @Param("objectId") String objectId);

    @Delete("DELETE FROM ${schema}.subscriptions WHERE id = #{id} AND subscriber_id = #{subscriberId}")
    int deleteSubscription(@Param("schema") String schema, @Param("id") long id, @Param("subscriberId") long subscriberId);

    @Update("UPDATE ${schema}.subscriptions SET consecutive_failures = 0, failing_since = NULL WHERE id = #{id}"
            + " AND consecutive_failures > 0")
    int recordSuccess(@Param("schema") String schema, @Param("id") long id);

    /** One more failure; deactivates after {@code failures} in a row spanning at least {@code seconds}. Answers active. */
    @Select("UPDATE ${schema}.subscriptions SET consecutive_failures = consecutive_failures + 1,"
            + " failing_since = COALESCE(failing_since, now()), active = active AND NOT (consecutive_failures + 1 >="
            + " #{failures} AND COALESCE(failing_since, now()) <= now() - make_interval(secs => #{seconds}))"
            + " WHERE id = #{id} RETURNING active")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    Boolean recordFailure(@Param("schema") String schema, @Param("id") long id, @Param("failures") int failures,
                          @Param("seconds") double seconds);

    // ---- sharing accounts ----

    @Select("INSERT INTO ${schema}.sharing_accounts (user_id, provider, token, display_name) VALUES (#{userId},"
            + " #{provider}, #{token}, #{displayName}) ON CONFLICT (user_id, provider) DO UPDATE SET token ="
            + " EXCLUDED.token, display_name = EXCLUDED.display_name, connected_at = now()"
            + " RETURNING user_id, provider, token, display_name, connected_at")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    SharingAccount upsertAccount(@Param("schema") String schema, @Param("userId") long userId,
                                 @Param("provider") String provider, @Param("token") byte[] token,
                                 @Param("displayName") String displayName);

    @Select("SELECT user_id, provider, token, display_name, connected_at FROM ${schema}.sharing_accounts"
            + " WHERE user_id = #{userId} ORDER BY provider")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    List<SharingAccount> accounts(@Param("schema") String schema, @Param("userId") long userId);

    @Select("SELECT user_id, provider, token, display_name, connected_at FROM ${schema}.sharing_accounts"
            + " WHERE user_id = #{userId} AND provider = #{provider}")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    SharingAccount account(@Param("schema") String schema, @Param("userId") long userId, @Param("provider") String provider);

    @Delete("DELETE FROM ${schema}.sharing_accounts WHERE user_id = #{userId} AND provider = #{provider}")
    int deleteAccount(@Param("schema") String schema, @Param("userId") long userId, @Param("provider") String provider);

    // ---- jobs ----

    @Insert("INSERT INTO ${schema}.jobs (kind, dedupe_key, payload, due_at) VALUES (#{kind}, #{dedupeKey}, #{payload},"
            + " #{dueAt}) ON CONFLICT (dedupe_key) DO NOTHING")
    int insertJob(@Param("schema") String schema, @Param("kind") String kind, @Param("dedupeKey") String dedupeKey,
                  @Param("payload") String payload, @Param("dueAt") Instant dueAt);

    /** Leases up to {@code limit} due jobs for {@code leaseSeconds}; other replicas skip them (SKIP LOCKED). */
    @Select("UPDATE ${schema}.jobs SET attempts = attempts + 1, due_at = now() + make_interval(secs => #{leaseSeconds})"
            + " WHERE id IN (SELECT id FROM ${schema}.jobs WHERE done_at IS NULL AND due_at <= now() ORDER BY due_at"
            + " LIMIT #{limit} FOR UPDATE SKIP LOCKED) RETURNING id, kind, dedupe_key, payload, attempts, created_at")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    List<JobRow> claimJobs(@Param("schema") String schema, @Param("limit") int limit,
                           @Param("leaseSeconds") double leaseSeconds);

    @Update("UPDATE ${schema}.jobs SET done_at = now(), outcome = #{outcome}, last_error = #{error} WHERE id = #{id}")
    int finishJob(@Param("schema") String schema, @Param("id") long id, @Param("outcome") String outcome,
                  @Param("error") String error);

    @Update("UPDATE ${schema}.jobs SET due_at = now() + make_interval(secs => #{delaySeconds}), last_error = #{error}"
            + " WHERE id = #{id} AND done_at IS NULL")
    int retryJob(@Param("schema") String schema, @Param("id") long id, @Param("delaySeconds") double delaySeconds,
                 @Param("error") String error);

    @Delete("DELETE FROM ${schema}.jobs WHERE done_at < now() - make_interval(secs => #{seconds})")
    int pruneJobs(@Param("schema") String schema, @Param("seconds") double seconds);

    @Select("SELECT min(due_at) FROM ${schema}.jobs WHERE done_at IS NULL")
    @Options(useCache = false, flushCache = Options.FlushCachePolicy.TRUE)
    Instant nextDue(@Param("schema") String schema);

    // ---- rows ----

    /** A device row. */
    final class Device {
        public long userId;
        public int platform;
        public String token;
        public String appId;
        public String locale;
    }

    /** A preferences row. */
    final class Preferences {
        public boolean likes = true;
        public boolean comments = true;
        public boolean follows = true;
        public boolean followRequests = true;
        public boolean mentions = true;
    }

    /** A subscription row. */
    final class Subscription {
        public long id;
        public long subscriberId;
        public int object;
        public String objectId;
        public String callbackUrl;
        public byte[] secret;
        public boolean active;
        public int consecutiveFailures;
        public Instant createdAt;
    }

    /** A sharing account row. */
    final class SharingAccount {
        public long userId;
        public String provider;
        public byte[] token;
        public String displayName;
        public Instant connectedAt;
    }

    /** A claimed job. */
    final class JobRow {
        public long id;
        public String kind;
        public String dedupeKey;
        public String payload;
        public int attempts;
        public Instant createdAt;
    }
}
