package io.pinhole.media;

import io.pinhole.media.v1.Comment;
import java.time.Instant;
import java.util.Arrays;

/** One row of a shard's {@code comments} table. */
final class CommentRow {
    long id;
    long mediaId;
    long authorId;
    String text;
    Long[] mentionedUserIds = new Long[0];
    Instant createdAt;
    Instant deletedAt;

    Comment toComment() {
        return Comment.newBuilder().setId(id).setMediaId(mediaId).setAuthorId(authorId).setText(text)
                      .setCreatedAt(MediaRow.timestamp(createdAt))
                      .addAllMentionedUserIds(Arrays.asList(mentionedUserIds)).build();
    }
}
