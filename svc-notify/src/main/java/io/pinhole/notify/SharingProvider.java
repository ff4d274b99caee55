package io.pinhole.notify;

/** An external network a post can be shared to. Throws for a failure worth retrying (outage, throttling). */
interface SharingProvider {

    /** What to post: the photo's URL and caption, a link back, and a key that makes a retried post a no-op. */
    record Share(long mediaId, String caption, String imageUrl, String link, String idempotencyKey) {}

    /** True when posted; false when the provider refused for good (revoked token, rejected content). */
    boolean share(String accessToken, Share share) throws Exception;
}
