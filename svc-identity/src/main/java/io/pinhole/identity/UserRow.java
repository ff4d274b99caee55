package io.pinhole.identity;

import com.google.protobuf.Timestamp;
import io.pinhole.identity.v1.User;
import java.time.Instant;

/** One row of a shard's {@code users} table, as MyBatis reads it. */
final class UserRow {
    long id;
    String username;
    String email;
    String passwordHash;
    String fullName;
    String bio;
    String website;
    long avatarMediaId;
    String avatarUrl;
    boolean isPrivate;
    long followerCount;
    long followingCount;
    long mediaCount;
    Instant createdAt;

    User toUser() {
        return User.newBuilder()
                   .setId(id)
                   .setUsername(username)
                   .setFullName(fullName)
                   .setBio(bio)
                   .setWebsite(website)
                   .setAvatarUrl(avatarUrl)
                   .setAvatarMediaId(avatarMediaId)
                   .setIsPrivate(isPrivate)
                   .setFollowerCount(followerCount)
                   .setFollowingCount(followingCount)
                   .setMediaCount(mediaCount)
                   .setCreatedAt(Timestamp.newBuilder().setSeconds(createdAt.getEpochSecond()).setNanos(createdAt.getNano()))
                   .build();
    }
}
