package io.pinhole.gateway.model;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * The GraphQL {@code Media} as far as svc-media's record fills it; {@code owner}, {@code viewerHasLiked},
 * {@code comments} and {@code likers} have their own data fetchers (batched through DataLoaders).
 *
 * @param id the decimal string of the 64-bit media ID
 * @param ownerId who posted it (resolved by {@code Media.owner} through the users DataLoader)
 * @param caption null when none
 * @param postedLocation where the poster said it was taken, null when not given (GraphQL {@code location} is a
 *        place of svc-geo's, with its ID: see {@code MediaDataFetcher.location})
 */
public record Media(String id, long ownerId, String caption, Images images, PostedLocation postedLocation,
                    List<String> tags, OffsetDateTime createdAt, int likeCount, int commentCount) {

    public Media {
        tags = List.copyOf(tags);
    }

    /** A location as the poster gave it: a name (may be empty) and WGS 84 degrees. */
    public record PostedLocation(String name, double lat, double lng) {
    }

    /** The media ID as a number. */
    public long idValue() {
        return Long.parseLong(id); // svc-media's own ID, always a decimal long
    }
}
