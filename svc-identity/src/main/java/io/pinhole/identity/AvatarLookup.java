package io.pinhole.identity;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pinhole.media.v1.GetMediaRequest;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.MediaServiceGrpc;
import io.pinhole.platform.error.PinholeException;
import io.pinhole.platform.server.Viewer;

/** Checks a media chosen as avatar with svc-media and gives its thumbnail URL. */
interface AvatarLookup {

    /** The thumbnail URL of {@code mediaId}; INVALID_ARGUMENT (field {@code avatar_media_id}) unless it is the viewer's. */
    String thumbnailUrl(long viewerId, long mediaId);

    static AvatarLookup through(MediaServiceGrpc.MediaServiceBlockingStub media) {
        return (viewerId, mediaId) -> {
            final Media found;
            try {
                found = Viewer.as(media, viewerId)
                              .getMedia(GetMediaRequest.newBuilder().addMediaIds(mediaId).build())
                              .getMediaOrDefault(mediaId, null);
            } catch (StatusRuntimeException e) {
                // Media's own mistakes are not the caller's: anything but an answer means "try again later".
                throw new StatusRuntimeException(Status.UNAVAILABLE.withDescription("svc-media could not check the avatar"));
            }
            if (found == null || found.getOwnerId() != viewerId) {
                throw PinholeException.invalidArgument("avatar_media_id", "must be one of the viewer's media");
            }
            return found.getImages().getThumbnail().getUrl();
        };
    }
}
