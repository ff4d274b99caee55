package io.pinhole.media;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/**
 * svc-media's SQL. Every statement names its shard's schema ({@code ${schema}}, always made by
 * {@code ShardMap.schemaOf}, never from input), so that one statement can cover several logical shards of a server.
 */
interface MediaMapper {

    String MEDIA_COLUMNS = " id, owner_id, caption, location_name, lat, lng, tags, mentioned_user_ids, low_width,"
                           + " low_height, standard_width, standard_height, like_count, comment_count, upload_id,"
                           + " created_at, deleted_at ";
    String COMMENT_COLUMNS = " id, media_id, author_id, text, mentioned_user_ids, created_at, deleted_at ";

    // ---- media ----

    @Select("SELECT ${schema}.next_id()")
    long nextId(@Param("schema") String schema);

    @Insert("INSERT INTO ${schema}.media (id, owner_id, caption, location_name, lat, lng, tags, mentioned_user_ids,"
            + " low_width, low_height, standard_width, standard_height, upload_id) VALUES (#{m.id}, #{m.ownerId},"
            + " #{m.caption}, #{m.locationName}, #{m.lat}, #{m.lng},"
            + " #{m.tags, typeHandler=org.apache.ibatis.type.ArrayTypeHandler},"
            + " #{m.mentionedUserIds, typeHandler=org.apache.ibatis.type.ArrayTypeHandler},"
            + " #{m.lowWidth}, #{m.lowHeight}, #{m.standardWidth}, #{m.standardHeight}, #{m.uploadId})")
    void insertMedia(@Param("schema") String schema, @Param("m") MediaRow media);

    @Select("SELECT" + MEDIA_COLUMNS + "FROM ${schema}.media WHERE id = #{id}")
    MediaRow media(@Param("schema") String schema, @Param("id") long id);

    @Select("SELECT" + MEDIA_COLUMNS + "FROM ${schema}.media WHERE upload_id = #{uploadId}")
    MediaRow mediaOfUpload(@Param("schema") String schema, @Param("uploadId") String uploadId);

    /** The media of several shards of one server: {@code idsBySchema} maps each schema to its IDs. One statement. */
    @Select("""
            <script>
            <foreach collection="idsBySchema" index="schema" item="ids" separator=" UNION ALL ">
              SELECT""" + MEDIA_COLUMNS + """
              FROM ${schema}.media WHERE id IN
              <foreach collection="ids" item="id" open="(" separator="," close=")">#{id}</foreach>
            </foreach>
            </script>""")
    List<MediaRow> mediaIn(@Param("idsBySchema") Map<String, ? extends Collection<Long>> idsBySchema);

    @Update("UPDATE ${schema}.media SET deleted_at = now() WHERE id = #{id} AND deleted_at IS NULL")
    int markDeleted(@Param("schema") String schema, @Param("id") long id);

    @Update("UPDATE ${schema}.media SET like_count = like_count + #{delta} WHERE id = #{id}")
    void addToLikeCount(@Param("schema") String schema, @Param("id") long id, @Param("delta") int delta);

    @Update("UPDATE ${schema}.media SET comment_count = comment_count + #{delta} WHERE id = #{id}")
    void addToCommentCount(@Param("schema") String schema, @Param("id") long id, @Param("delta") int delta);

    /** A user's live media, newest first, with IDs below {@code beforeId} (0: from the newest). */
    @Select("""
            <script>
            SELECT id FROM ${schema}.media WHERE owner_id = #{ownerId} AND deleted_at IS NULL
            <if test="beforeId != 0">AND id &lt; #{beforeId}</if>
            ORDER BY id DESC LIMIT #{limit}
            </script>""")
    List<Long> ownerMediaIds(@Param("schema") String schema, @Param("ownerId") long ownerId,
                             @Param("beforeId") long beforeId, @Param("limit") int limit);

    /** The newest live media of many owners of several shards of one server, each owner at most {@code perOwner}. */
    @Select("""
            <script>
            <foreach collection="ownersBySchema" index="schema" item="owners" separator=" UNION ALL ">
              SELECT id, owner_id FROM (SELECT id, owner_id, row_number() OVER (PARTITION BY owner_id ORDER BY id DESC) AS rank
                FROM ${schema}.media WHERE deleted_at IS NULL
                <if test="afterId != 0">AND id &gt; #{afterId}</if>
                AND owner_id IN <foreach collection="owners" item="owner" open="(" separator="," close=")">#{owner}</foreach>
              ) AS recent WHERE rank &lt;= #{perOwner}
            </foreach>
            </script>""")
    List<MediaRow> recentMedia(@Param("ownersBySchema") Map<String, ? extends Collection<Long>> ownersBySchema,
                              @Param("afterId") long afterId, @Param("perOwner") int perOwner);

    // ---- likes ----

    @Insert("INSERT INTO ${schema}.likes (media_id, user_id) VALUES (#{mediaId}, #{userId}) ON CONFLICT DO NOTHING")
    int insertLike(@Param("schema") String schema, @Param("mediaId") long mediaId, @Param("userId") long userId);

    @org.apache.ibatis.annotations.Delete("DELETE FROM ${schema}.likes WHERE media_id = #{mediaId} AND user_id = #{userId}")
    int deleteLike(@Param("schema") String schema, @Param("mediaId") long mediaId, @Param("userId") long userId);

    /** Which of the given media (of several shards of one server) {@code userId} has liked. One statement. */
    @Select("""
            <script>
            <foreach collection="idsBySchema" index="schema" item="ids" separator=" UNION ALL ">
              SELECT media_id FROM ${schema}.likes WHERE user_id = #{userId} AND media_id IN
              <foreach collection="ids" item="id" open="(" separator="," close=")">#{id}</foreach>
            </foreach>
            </script>""")
    List<Long> likedAmong(@Param("idsBySchema") Map<String, ? extends Collection<Long>> idsBySchema,
                          @Param("userId") long userId);

    /** A page of likers, most recent first, after the cursor (null time: from the start). */
    @Select("""
            <script>
            SELECT user_id, created_at FROM ${schema}.likes WHERE media_id = #{mediaId}
            <if test="afterTime != null">AND (created_at, user_id) &lt; (#{afterTime}, #{afterId})</if>
            ORDER BY created_at DESC, user_id DESC LIMIT #{limit}
            </script>""")
    List<LikeRow> likers(@Param("schema") String schema, @Param("mediaId") long mediaId,
                            @Param("afterTime") Instant afterTime, @Param("afterId") long afterId, @Param("limit") int limit);

    /** The first {@code perMedia} likers of each given media of several shards of one server. One statement. */
    @Select("""
            <script>
            <foreach collection="idsBySchema" index="schema" item="ids" separator=" UNION ALL ">
              SELECT media_id, user_id, created_at FROM (SELECT media_id, user_id, created_at,
                row_number() OVER (PARTITION BY media_id ORDER BY created_at DESC, user_id DESC) AS rank
                FROM ${schema}.likes WHERE media_id IN
                <foreach collection="ids" item="id" open="(" separator="," close=")">#{id}</foreach>) AS firsts
              WHERE rank &lt;= #{perMedia}
            </foreach>
            ORDER BY media_id, created_at DESC, user_id DESC
            </script>""")
    List<LikeRow> firstLikers(@Param("idsBySchema") Map<String, ? extends Collection<Long>> idsBySchema,
                              @Param("perMedia") int perMedia);

    // ---- comments ----

    @Insert("INSERT INTO ${schema}.comments (id, media_id, author_id, text, mentioned_user_ids) VALUES"
            + " (#{c.id}, #{c.mediaId}, #{c.authorId}, #{c.text}, #{c.mentionedUserIds, typeHandler=org.apache.ibatis.type.ArrayTypeHandler})")
    void insertComment(@Param("schema") String schema, @Param("c") CommentRow comment);

    @Select("SELECT" + COMMENT_COLUMNS + "FROM ${schema}.comments WHERE id = #{id}")
    CommentRow comment(@Param("schema") String schema, @Param("id") long id);

    @Update("UPDATE ${schema}.comments SET deleted_at = now() WHERE id = #{id} AND deleted_at IS NULL")
    int markCommentDeleted(@Param("schema") String schema, @Param("id") long id);

    /** Live comments of several shards of one server by ID. One statement. */
    @Select("""
            <script>
            <foreach collection="idsBySchema" index="schema" item="ids" separator=" UNION ALL ">
              SELECT""" + COMMENT_COLUMNS + """
              FROM ${schema}.comments WHERE deleted_at IS NULL AND id IN
              <foreach collection="ids" item="id" open="(" separator="," close=")">#{id}</foreach>
            </foreach>
            </script>""")
    List<CommentRow> commentsIn(@Param("idsBySchema") Map<String, ? extends Collection<Long>> idsBySchema);

    /** A page of a media's live comments in ID (= time) order, after the cursor's ID (0: from the start). */
    @Select("""
            <script>
            SELECT""" + COMMENT_COLUMNS + """
            FROM ${schema}.comments WHERE media_id = #{mediaId} AND deleted_at IS NULL
            <if test="afterId != 0 and newestFirst">AND id &lt; #{afterId}</if>
            <if test="afterId != 0 and !newestFirst">AND id &gt; #{afterId}</if>
            ORDER BY id <if test="newestFirst">DESC</if> LIMIT #{limit}
            </script>""")
    List<CommentRow> comments(@Param("schema") String schema, @Param("mediaId") long mediaId,
                              @Param("newestFirst") boolean newestFirst, @Param("afterId") long afterId,
                              @Param("limit") int limit);

    /** The first {@code perMedia} live comments of each given media of several shards of one server. One statement. */
    @Select("""
            <script>
            <foreach collection="idsBySchema" index="schema" item="ids" separator=" UNION ALL ">
              SELECT""" + COMMENT_COLUMNS + """
              FROM (SELECT *, row_number() OVER (PARTITION BY media_id ORDER BY id <if test="newestFirst">DESC</if>) AS rank
                FROM ${schema}.comments WHERE deleted_at IS NULL AND media_id IN
                <foreach collection="ids" item="id" open="(" separator="," close=")">#{id}</foreach>) AS firsts
              WHERE rank &lt;= #{perMedia}
            </foreach>
            </script>""")
    List<CommentRow> firstComments(@Param("idsBySchema") Map<String, ? extends Collection<Long>> idsBySchema,
                                   @Param("newestFirst") boolean newestFirst, @Param("perMedia") int perMedia);

    // ---- tags ----

    @Insert("""
            <script>
            INSERT INTO ${schema}.tag_media (tag, media_id) VALUES
            <foreach collection="tags" item="tag" separator=",">(#{tag}, #{mediaId})</foreach> ON CONFLICT DO NOTHING
            </script>""")
    void insertTagMedia(@Param("schema") String schema, @Param("mediaId") long mediaId, @Param("tags") Collection<String> tags);

    @Insert("""
            <script>
            INSERT INTO ${schema}.tag_counts (tag, media_count) VALUES
            <foreach collection="tags" item="tag" separator=",">(#{tag}, greatest(#{delta}, 0))</foreach>
            ON CONFLICT (tag) DO UPDATE SET media_count = greatest(${schema}.tag_counts.media_count + #{delta}, 0)
            </script>""")
    void addToTagCounts(@Param("schema") String schema, @Param("tags") Collection<String> tags, @Param("delta") int delta);

    /** Media count of a tag over several shards of one server; null when no shard has ever seen the tag. */
    @Select("""
            <script>
            SELECT sum(media_count) FROM (
            <foreach collection="schemas" item="schema" separator=" UNION ALL ">
              SELECT media_count FROM ${schema}.tag_counts WHERE tag = #{tag}
            </foreach>) AS counts
            </script>""")
    Long tagCount(@Param("schemas") Collection<String> schemas, @Param("tag") String tag);

    /** The newest live media IDs with a tag over several shards of one server, below {@code beforeId} (0: newest). */
    @Select("""
            <script>
            <foreach collection="schemas" item="schema" separator=" UNION ALL ">
              (SELECT t.media_id FROM ${schema}.tag_media t JOIN ${schema}.media m ON m.id = t.media_id
               WHERE t.tag = #{tag} AND m.deleted_at IS NULL <if test="beforeId != 0">AND t.media_id &lt; #{beforeId}</if>
               ORDER BY t.media_id DESC LIMIT #{limit})
            </foreach>
            </script>""")
    List<Long> tagMediaIds(@Param("schemas") Collection<String> schemas, @Param("tag") String tag,
                           @Param("beforeId") long beforeId, @Param("limit") int limit);
}
