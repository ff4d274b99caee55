package io.pinhole.media;

import com.google.protobuf.Timestamp;
import io.pinhole.media.v1.Image;
import io.pinhole.media.v1.Images;
import io.pinhole.media.v1.Location;
import io.pinhole.media.v1.Media;
import java.time.Instant;
import java.util.Arrays;

/** One row of a shard's {@code media} table, as MyBatis reads and writes it. */
final class MediaRow {
    long id;
    long ownerId;
    String caption = "";
    String locationName;
    Double lat;
    Double lng;
    String[] tags = new String[0];
    Long[] mentionedUserIds = new Long[0];
    int lowWidth;
    int lowHeight;
    int standardWidth;
    int standardHeight;
    long likeCount;
    long commentCount;
    String uploadId;
    Instant createdAt;
    Instant deletedAt;

    /** The media without rendition URLs (they are added per response: presigned URLs expire). */
    Media toMedia() {
        final Media.Builder media = Media.newBuilder()
                .setId(id)
                .setOwnerId(ownerId)
                .setCaption(caption)
                .setImages(Images.newBuilder()
                        .setThumbnail(Image.newBuilder().setWidth(150).setHeight(150))
                        .setLow(Image.newBuilder().setWidth(lowWidth).setHeight(lowHeight))
                        .setStandard(Image.newBuilder().setWidth(standardWidth).setHeight(standardHeight)))
                .addAllTags(Arrays.asList(tags))
                .addAllMentionedUserIds(Arrays.asList(mentionedUserIds))
                .setCreatedAt(timestamp(createdAt))
                .setLikeCount(likeCount)
                .setCommentCount(commentCount);
        if (lat != null && lng != null) {
            media.setLocation(Location.newBuilder().setName(locationName == null ? "" : locationName).setLat(lat).setLng(lng));
        }
        return media.build();
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
