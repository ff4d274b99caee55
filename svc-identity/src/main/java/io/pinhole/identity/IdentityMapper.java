package io.pinhole.identity;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/**
 * svc-identity's SQL. Every statement names its shard's schema ({@code ${schema}}, always made by
 * {@code ShardMap.schemaOf}, never from input), so one transaction can read or write several logical shards of one
 * physical server.
 */
interface IdentityMapper {

    String USER_COLUMNS = "id, username, email, password_hash, full_name, bio, website, avatar_media_id, avatar_url,"
                          + " is_private, follower_count, following_count, media_count, created_at";

    // ---- users ----

    @Select("SELECT ${schema}.next_id()")
    long nextId(@Param("schema") String schema);

    @Insert("INSERT INTO ${schema}.users (id, username, email, password_hash, full_name)"
            + " VALUES (#{user.id}, #{user.username}, #{user.email}, #{user.passwordHash}, #{user.fullName})")
    void insertUser(@Param("schema") String schema, @Param("user") UserRow user);

    @Select("SELECT " + USER_COLUMNS + " FROM ${schema}.users WHERE id = #{id}")
    UserRow user(@Param("schema") String schema, @Param("id") long id);

    @Select("SELECT " + USER_COLUMNS + " FROM ${schema}.users WHERE id = #{id} FOR UPDATE")
    UserRow userForUpdate(@Param("schema") String schema, @Param("id") long id);

    /** The users of several shards of one server: {@code idsBySchema} maps each schema to its IDs. */
    @Select("""
            <script>
            <foreach collection="idsBySchema" index="schema" item="ids" separator=" UNION ALL ">
              SELECT """ + " " + USER_COLUMNS + """
               FROM ${schema}.users WHERE id IN
              <foreach collection="ids" item="id" open="(" separator="," close=")">#{id}</foreach>
            </foreach>
            </script>""")
    List<UserRow> users(@Param("idsBySchema") java.util.Map<String, ? extends Collection<Long>> idsBySchema);

    @Update("UPDATE ${schema}.users SET password_hash = #{hash}, updated_at = now() WHERE id = #{id}")
    void updatePasswordHash(@Param("schema") String schema, @Param("id") long id, @Param("hash") String hash);

    @Update("UPDATE ${schema}.users SET full_name = #{user.fullName}, bio = #{user.bio}, website = #{user.website},"
            + " avatar_media_id = #{user.avatarMediaId}, avatar_url = #{user.avatarUrl}, is_private = #{user.isPrivate},"
            + " updated_at = now() WHERE id = #{user.id}")
    void updateProfile(@Param("schema") String schema, @Param("user") UserRow user);

    @Update("UPDATE ${schema}.users SET follower_count = follower_count + #{followers},"
            + " following_count = following_count + #{following} WHERE id = #{id}")
    void addToFollowCounts(@Param("schema") String schema, @Param("id") long id,
                           @Param("followers") int followers, @Param("following") int following);

    @Update("UPDATE ${schema}.users SET media_count = greatest(media_count + #{delta}, 0) WHERE id = #{id}")
    int addToMediaCount(@Param("schema") String schema, @Param("id") long id, @Param("delta") int delta);

    // ---- username and email claims ----

    @Insert("INSERT INTO ${schema}.name_claims (kind, name, user_id) VALUES (#{kind}, #{name}, #{userId})"
            + " ON CONFLICT DO NOTHING")
    int claim(@Param("schema") String schema, @Param("kind") String kind, @Param("name") String name,
              @Param("userId") long userId);

    @Select("SELECT user_id AS id, claimed_at AS created_at FROM ${schema}.name_claims WHERE kind = #{kind} AND name = #{name}")
    UserRow claimant(@Param("schema") String schema, @Param("kind") String kind, @Param("name") String name);

    @Delete("DELETE FROM ${schema}.name_claims WHERE kind = #{kind} AND name = #{name} AND user_id = #{userId}")
    int release(@Param("schema") String schema, @Param("kind") String kind, @Param("name") String name,
                @Param("userId") long userId);

    /** Username claims of several shards of one server: the claimant's ID with the name as {@code username}. */
    @Select("""
            <script>
            <foreach collection="namesBySchema" index="schema" item="names" separator=" UNION ALL ">
              SELECT user_id AS id, name AS username FROM ${schema}.name_claims WHERE kind = 'username' AND name IN
              <foreach collection="names" item="name" open="(" separator="," close=")">#{name}</foreach>
            </foreach>
            </script>""")
    List<UserRow> usernameClaims(@Param("namesBySchema") java.util.Map<String, ? extends Collection<String>> namesBySchema);

    // ---- typeahead ----

    @Delete("DELETE FROM ${schema}.search_terms WHERE user_id = #{userId}")
    void deleteSearchTerms(@Param("schema") String schema, @Param("userId") long userId);

    @Insert("""
            <script>
            INSERT INTO ${schema}.search_terms (term, user_id) VALUES
            <foreach collection="terms" item="term" separator=",">(#{term}, #{userId})</foreach>
            ON CONFLICT DO NOTHING
            </script>""")
    void insertSearchTerms(@Param("schema") String schema, @Param("userId") long userId,
                           @Param("terms") Collection<String> terms);

    /**
     * The best {@code limit} matches of each given shard: users with a term in [{@code from}, {@code to}), exact
     * username first, then by followers.
     */
    @Select("""
            <script>
            <foreach collection="schemas" item="schema" separator=" UNION ALL ">
              (SELECT """ + " " + USER_COLUMNS + """
               FROM ${schema}.users
               WHERE id IN (SELECT user_id FROM ${schema}.search_terms WHERE term &gt;= #{from} AND term &lt; #{to})
               ORDER BY username = #{exact} DESC, follower_count DESC, id LIMIT #{limit})
            </foreach>
            </script>""")
    List<UserRow> search(@Param("schemas") Collection<String> schemas, @Param("from") String from,
                         @Param("to") String to, @Param("exact") String exact, @Param("limit") int limit);

    // ---- follow graph: `following` (truth, follower's shard) and `followers` (mirror, followee's shard) ----

    /** Waits for the transaction-scoped advisory lock {@code key}. */
    @Select("SELECT 1 FROM pg_advisory_xact_lock(#{key})")
    int lock(@Param("key") long key);

    @Select("SELECT followee_id AS user_id, pending, created_at FROM ${schema}.following"
            + " WHERE follower_id = #{follower} AND followee_id = #{followee}")
    EdgeRow following(@Param("schema") String schema, @Param("follower") long follower, @Param("followee") long followee);

    @Insert("INSERT INTO ${schema}.following (follower_id, followee_id, pending, created_at)"
            + " VALUES (#{follower}, #{followee}, #{pending}, clock_timestamp()) ON CONFLICT DO NOTHING")
    int insertFollowing(@Param("schema") String schema, @Param("follower") long follower,
                        @Param("followee") long followee, @Param("pending") boolean pending);

    @Update("UPDATE ${schema}.following SET pending = false"
            + " WHERE follower_id = #{follower} AND followee_id = #{followee} AND pending")
    int acceptFollowing(@Param("schema") String schema, @Param("follower") long follower, @Param("followee") long followee);

    /** Deletes a follow; returns its {@code pending} flag, or null when there was none. */
    @Select("DELETE FROM ${schema}.following WHERE follower_id = #{follower} AND followee_id = #{followee}"
            + " AND (NOT #{onlyPending} OR pending) RETURNING pending")
    Boolean deleteFollowing(@Param("schema") String schema, @Param("follower") long follower,
                            @Param("followee") long followee, @Param("onlyPending") boolean onlyPending);

    @Select("SELECT follower_id AS user_id, pending, created_at FROM ${schema}.followers"
            + " WHERE followee_id = #{followee} AND follower_id = #{follower}")
    EdgeRow follower(@Param("schema") String schema, @Param("followee") long followee, @Param("follower") long follower);

    @Insert("INSERT INTO ${schema}.followers (followee_id, follower_id, pending, created_at)"
            + " VALUES (#{followee}, #{follower}, #{pending}, #{createdAt})"
            + " ON CONFLICT (followee_id, follower_id) DO UPDATE SET pending = excluded.pending, created_at = excluded.created_at")
    void upsertFollower(@Param("schema") String schema, @Param("followee") long followee,
                        @Param("follower") long follower, @Param("pending") boolean pending,
                        @Param("createdAt") Instant createdAt);

    @Delete("DELETE FROM ${schema}.followers WHERE followee_id = #{followee} AND follower_id = #{follower}")
    int deleteFollower(@Param("schema") String schema, @Param("followee") long followee, @Param("follower") long follower);

    /** A page of whom {@code userId} follows (or requested), newest first, after the cursor (null: from the start). */
    @Select("""
            <script>
            SELECT followee_id AS user_id, pending, created_at FROM ${schema}.following
            WHERE follower_id = #{userId} AND pending = #{pending}
            <if test="afterTime != null">AND (created_at, followee_id) &lt; (#{afterTime}, #{afterId})</if>
            ORDER BY created_at DESC, followee_id DESC LIMIT #{limit}
            </script>""")
    List<EdgeRow> followingPage(@Param("schema") String schema, @Param("userId") long userId,
                                @Param("pending") boolean pending, @Param("afterTime") Instant afterTime,
                                @Param("afterId") long afterId, @Param("limit") int limit);

    /** A page of who follows (or asked to follow) {@code userId}, newest first, after the cursor. */
    @Select("""
            <script>
            SELECT follower_id AS user_id, pending, created_at FROM ${schema}.followers
            WHERE followee_id = #{userId} AND pending = #{pending}
            <if test="afterTime != null">AND (created_at, follower_id) &lt; (#{afterTime}, #{afterId})</if>
            ORDER BY created_at DESC, follower_id DESC LIMIT #{limit}
            </script>""")
    List<EdgeRow> followersPage(@Param("schema") String schema, @Param("userId") long userId,
                                @Param("pending") boolean pending, @Param("afterTime") Instant afterTime,
                                @Param("afterId") long afterId, @Param("limit") int limit);

    // ---- blocks: `blocks` (truth, blocker's shard) and `blocked_by` (mirror, blocked user's shard) ----

    @Insert("INSERT INTO ${schema}.blocks (blocker_id, blocked_id) VALUES (#{blocker}, #{blocked}) ON CONFLICT DO NOTHING")
    int insertBlock(@Param("schema") String schema, @Param("blocker") long blocker, @Param("blocked") long blocked);

    @Delete("DELETE FROM ${schema}.blocks WHERE blocker_id = #{blocker} AND blocked_id = #{blocked}")
    int deleteBlock(@Param("schema") String schema, @Param("blocker") long blocker, @Param("blocked") long blocked);

    @Select("SELECT blocked_id AS user_id, created_at FROM ${schema}.blocks WHERE blocker_id = #{blocker} AND blocked_id = #{blocked}")
    EdgeRow block(@Param("schema") String schema, @Param("blocker") long blocker, @Param("blocked") long blocked);

    @Insert("INSERT INTO ${schema}.blocked_by (blocked_id, blocker_id, created_at) VALUES (#{blocked}, #{blocker}, #{createdAt})"
            + " ON CONFLICT DO NOTHING")
    int insertBlockedBy(@Param("schema") String schema, @Param("blocked") long blocked, @Param("blocker") long blocker,
                        @Param("createdAt") Instant createdAt);

    @Delete("DELETE FROM ${schema}.blocked_by WHERE blocked_id = #{blocked} AND blocker_id = #{blocker}")
    int deleteBlockedBy(@Param("schema") String schema, @Param("blocked") long blocked, @Param("blocker") long blocker);

    /** Everyone who blocks {@code userId} (from the mirror in their shard). */
    @Select("SELECT blocker_id FROM ${schema}.blocked_by WHERE blocked_id = #{userId}")
    List<Long> blockers(@Param("schema") String schema, @Param("userId") long userId);

    // ---- a viewer's relationships, all from the viewer's shard ----

    @Select("""
            <script>
            SELECT followee_id AS user_id, pending, created_at FROM ${schema}.following WHERE follower_id = #{viewer}
            AND followee_id IN <foreach collection="ids" item="id" open="(" separator="," close=")">#{id}</foreach>
            </script>""")
    List<EdgeRow> followingAmong(@Param("schema") String schema, @Param("viewer") long viewer, @Param("ids") Collection<Long> ids);

    @Select("""
            <script>
            SELECT follower_id AS user_id, pending, created_at FROM ${schema}.followers WHERE followee_id = #{viewer}
            AND follower_id IN <foreach collection="ids" item="id" open="(" separator="," close=")">#{id}</foreach>
            </script>""")
    List<EdgeRow> followersAmong(@Param("schema") String schema, @Param("viewer") long viewer, @Param("ids") Collection<Long> ids);

    @Select("""
            <script>
            SELECT blocked_id FROM ${schema}.blocks WHERE blocker_id = #{viewer}
            AND blocked_id IN <foreach collection="ids" item="id" open="(" separator="," close=")">#{id}</foreach>
            </script>""")
    List<Long> blockedAmong(@Param("schema") String schema, @Param("viewer") long viewer, @Param("ids") Collection<Long> ids);
}
