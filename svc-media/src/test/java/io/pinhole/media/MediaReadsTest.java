package io.pinhole.media;

import static io.pinhole.media.MediaFixture.anonymous;
import static io.pinhole.media.MediaFixture.as;
import static io.pinhole.media.MediaFixture.assertFails;
import static io.pinhole.media.MediaFixture.newUser;
import static io.pinhole.media.MediaFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status.Code;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.media.v1.BatchListUserMediaRequest;
import io.pinhole.media.v1.DeleteMediaRequest;
import io.pinhole.media.v1.GetMediaRequest;
import io.pinhole.media.v1.GetMediaResponse;
import io.pinhole.media.v1.ListRecentMediaIdsRequest;
import io.pinhole.media.v1.ListUserMediaRequest;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.shard.ShardMap;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, MediaFixture.class})
class MediaReadsTest {

    /** A user whose logical shard lives on {@code server} (16 shards, 8 per server). */
    static long ownerOnServer(int server) {
        for (int attempt = 0; attempt < 64; attempt++) {
            final long id = newUser("owner");
            if (PinholeIds.shard(id) / 8 == server) {
                return id;
            }
        }
        throw new AssertionError("no user landed on server " + server);
    }

    /** Inserts {@code count} media rows for {@code owner} directly (a read test needs rows, not image work). */
    static List<Long> seedMedia(Devstack devstack, long owner, int count) throws Exception {
        final int shard = PinholeIds.shard(owner);
        final List<Long> ids = new ArrayList<>();
        try (Connection connection = devstack.postgres().server(shard / 8).connect(PinholeService.MEDIA.databaseName());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("INSERT INTO " + ShardMap.schemaOf(shard) + ".media (owner_id, caption,"
                     + " low_width, low_height, standard_width, standard_height) SELECT " + owner + ", 'seeded ' || n, 320, 240,"
                     + " 1080, 810 FROM generate_series(1, " + count + ") AS n RETURNING id")) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
        }
        return ids;
    }

    /** The mediaIn statements sent so far, per physical server, from the service's Prometheus endpoint. */
    static Map<String, Double> mediaInStatements() throws Exception {
        // HTTP/1.1: the JDK client's h2c upgrade to Armeria sometimes misreads the answer.
        final String metrics = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                URI.create(MediaFixture.service().baseUrl() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        final Map<String, Double> counts = new HashMap<>(Map.of("0", 0.0, "1", 0.0));
        final Matcher line = Pattern.compile("(?m)^pinhole_sql_statements_total\\{([^}]*)\\} (\\S+)$").matcher(metrics);
        while (line.find()) {
            if (line.group(1).contains("statement=\"io.pinhole.media.MediaMapper.mediaIn\"")) {
                final Matcher server = Pattern.compile("server=\"(\\d+)\"").matcher(line.group(1));
                server.find();
                counts.put(server.group(1), Double.parseDouble(line.group(2)));
            }
        }
        return counts;
    }

    @Test
    void getMediaOf100IdsOnTwoServers_sendsOneStatementPerServerCold_andNoneWarm(Devstack devstack) throws Exception {
        final List<Long> ids = new ArrayList<>();
        ids.addAll(seedMedia(devstack, ownerOnServer(0), 30));
        ids.addAll(seedMedia(devstack, ownerOnServer(0), 20));
        ids.addAll(seedMedia(devstack, ownerOnServer(1), 50));
        final GetMediaRequest request = GetMediaRequest.newBuilder().addAllMediaIds(ids).build();

        final Map<String, Double> before = mediaInStatements();
        final GetMediaResponse cold = anonymous().getMedia(request);
        final Map<String, Double> afterCold = mediaInStatements();
        final GetMediaResponse warm = anonymous().getMedia(request);
        final Map<String, Double> afterWarm = mediaInStatements();

        assertThat(cold.getMediaMap()).hasSize(100);
        assertThat(warm.getMediaMap().keySet()).isEqualTo(cold.getMediaMap().keySet());
        assertThat(afterCold.get("0") - before.get("0")).isEqualTo(1.0);
        assertThat(afterCold.get("1") - before.get("1")).isEqualTo(1.0);
        assertThat(afterWarm).isEqualTo(afterCold);
    }

    @Test
    void oneHundredConcurrentMissesOfOneKey_loadItOnce(Devstack devstack) throws Exception {
        final long mediaId = seedMedia(devstack, ownerOnServer(1), 1).getFirst();
        final Map<String, Double> before = mediaInStatements();
        final CountDownLatch start = new CountDownLatch(1);
        final List<Future<Integer>> answers = new ArrayList<>();
        try (ExecutorService executor = Executors.newFixedThreadPool(100)) {
            for (int i = 0; i < 100; i++) {
                answers.add(executor.submit(() -> {
                    start.await();
                    return anonymous().getMedia(GetMediaRequest.newBuilder().addMediaIds(mediaId).build()).getMediaCount();
                }));
            }
            start.countDown();
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(1);
            }
        }
        assertThat(mediaInStatements().get("1") - before.get("1")).isEqualTo(1.0);
    }

    @Test
    void grids_pageNewestFirst_andDeletedMediaLeaveEveryRead() throws Exception {
        final long owner = newUser("grid");
        final List<Long> posted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            posted.add(0, upload(owner, "photo " + i).getId());
        }
        final var first = anonymous().listUserMedia(ListUserMediaRequest.newBuilder().setUserId(owner)
                .setPage(PageRequest.newBuilder().setLimit(2)).build());
        final var second = anonymous().listUserMedia(ListUserMediaRequest.newBuilder().setUserId(owner)
                .setPage(PageRequest.newBuilder().setLimit(2).setCursor(first.getPage().getNextCursor())).build());
        assertThat(first.getMediaIdsList()).containsExactly(posted.get(0), posted.get(1));
        assertThat(second.getMediaIdsList()).containsExactly(posted.get(2));
        assertThat(second.getPage().getNextCursor()).isEmpty();

        final long other = newUser("intruder");
        assertFails(Code.PERMISSION_DENIED, () -> as(other).deleteMedia(DeleteMediaRequest.newBuilder().setMediaId(posted.get(0)).build()));
        assertThat(as(owner).deleteMedia(DeleteMediaRequest.newBuilder().setMediaId(posted.get(0)).build()).getDeleted()).isTrue();
        assertThat(as(owner).deleteMedia(DeleteMediaRequest.newBuilder().setMediaId(posted.get(0)).build()).getDeleted()).isFalse();

        final GetMediaResponse afterDelete = anonymous().getMedia(GetMediaRequest.newBuilder().addAllMediaIds(posted).build());
        assertThat(afterDelete.getMediaMap()).containsOnlyKeys(posted.get(1), posted.get(2));
        assertThat(afterDelete.getDeletedMediaIdsList()).containsExactly(posted.get(0));
        assertThat(anonymous().listUserMedia(ListUserMediaRequest.newBuilder().setUserId(owner).build()).getMediaIdsList())
                .containsExactly(posted.get(1), posted.get(2));
        assertThat(anonymous().batchListUserMedia(BatchListUserMediaRequest.newBuilder().addUserIds(owner).setLimitPerUser(1).build())
                .getPagesOrThrow(owner).getMediaIdsList()).containsExactly(posted.get(1));
        assertThat(anonymous().listRecentMediaIds(ListRecentMediaIdsRequest.newBuilder().addOwnerIds(owner).addOwnerIds(other).build())
                .getMediaIdsList()).containsExactly(posted.get(1), posted.get(2));
    }

    @Test
    void badRequests_getPreciseErrors() {
        final long viewer = newUser("errors");
        assertFails(Code.INVALID_ARGUMENT, () -> anonymous().getMedia(GetMediaRequest.newBuilder()
                .addAllMediaIds(java.util.stream.LongStream.rangeClosed(1, 101).boxed().toList()).build()), "media_ids");
        assertFails(Code.NOT_FOUND, () -> anonymous().listUserMedia(ListUserMediaRequest.newBuilder()
                .setUserId(PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 3, 3, 3)).build()));
        assertFails(Code.INVALID_ARGUMENT, () -> anonymous().listUserMedia(ListUserMediaRequest.newBuilder().setUserId(viewer)
                .setPage(PageRequest.newBuilder().setCursor("%%%")).build()), "page.cursor");
        assertFails(Code.NOT_FOUND, () -> as(viewer).deleteMedia(DeleteMediaRequest.newBuilder()
                .setMediaId(PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 3, 3, 3)).build()));
        assertFails(Code.INVALID_ARGUMENT, () -> as(viewer).deleteMedia(DeleteMediaRequest.getDefaultInstance()), "media_id");
        assertFails(Code.INVALID_ARGUMENT, () -> anonymous().listRecentMediaIds(ListRecentMediaIdsRequest.newBuilder()
                .setLimit(1001).build()), "limit");
    }
}
