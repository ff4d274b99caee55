package io.pinhole.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pinhole.events.v1.MediaPosted;
import io.pinhole.media.v1.GetMediaRequest;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.platform.server.Viewer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sharing a post to connected accounts. A MediaPosted whose {@code share_to} names a configured provider the owner
 * has connected becomes a SHARE job in the owner's shard. The job reads the account when it runs (a disconnected
 * account drops the share), the media as its owner (a deleted one drops it too), decrypts the token and calls the
 * provider. A provider outage only delays: the job retries with backoff until the provider answers or the share is
 * older than {@code PINHOLE_NOTIFY_SHARE_MAX_AGE}.
 */
final class Sharing {

    private final NotifyStore store;
    private final SecretBox secrets;
    private final Map<String, SharingProvider> providers;
    private final MediaServiceBlockingStub media;
    private final MeterRegistry meters;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    Sharing(NotifyStore store, SecretBox secrets, Map<String, SharingProvider> providers, MediaServiceBlockingStub media,
            MeterRegistry meters) {
        this.store = store;
        this.secrets = secrets;
        this.providers = providers;
        this.media = media;
        this.meters = meters;
    }

    boolean knows(String provider) {
        return providers.containsKey(provider);
    }

    static String associatedData(long userId, String provider) {
        return "sharing:" + userId + ":" + provider;
    }

    List<Jobs.NewJob> onMediaPosted(MediaPosted posted, Instant at) {
        final List<Jobs.NewJob> jobs = new ArrayList<>();
        for (String name : posted.getShareToList()) {
            final String provider = name.toLowerCase(Locale.ROOT);
            if (!providers.containsKey(provider) || store.account(posted.getOwnerId(), provider) == null) {
                continue;
            }
            final ObjectNode payload = Jobs.JSON.createObjectNode().put("owner", posted.getOwnerId())
                    .put("media", posted.getMediaId()).put("provider", provider);
            jobs.add(new Jobs.NewJob(store.userShard(posted.getOwnerId()), Jobs.Kind.SHARE,
                                     "share:" + posted.getMediaId() + ":" + provider, payload, at));
        }
        return jobs;
    }

    Jobs.Result share(Jobs.Job job) throws Exception {
        final long owner = job.payload().get("owner").asLong();
        final long mediaId = job.payload().get("media").asLong();
        final String provider = job.payload().get("provider").asText();
        final NotifyMapper.SharingAccount account = store.account(owner, provider);
        if (account == null || !providers.containsKey(provider)) {
            return done(provider, "disconnected");
        }
        final Media found = Viewer.as(media, owner).getMedia(GetMediaRequest.newBuilder().addMediaIds(mediaId).build())
                                  .getMediaMap().get(mediaId);
        if (found == null) {
            return done(provider, "deleted");
        }
        final String token = secrets.open(account.token, associatedData(owner, provider));
        final boolean posted;
        try {
            posted = providers.get(provider).share(token, new SharingProvider.Share(mediaId, found.getCaption(),
                    found.getImages().getStandard().getUrl(), "pinhole://media/" + mediaId, "pinhole-share-" + job.id()));
        } catch (Exception e) {
            count(provider, "failed_attempt");
            throw e;
        }
        return done(provider, posted ? "shared" : "refused");
    }

    private Jobs.Result done(String provider, String outcome) {
        count(provider, outcome);
        return Jobs.Result.done(outcome);
    }

    private void count(String provider, String outcome) {
        counters.computeIfAbsent(provider + "/" + outcome, key -> Counter.builder("pinhole.notify.shares")
                .tag("provider", provider).tag("outcome", outcome)
                .description("shares by provider and outcome (failed_attempt: one failed try)").register(meters)).increment();
    }
}
