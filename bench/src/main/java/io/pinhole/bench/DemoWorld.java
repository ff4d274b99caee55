package io.pinhole.bench;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
import io.pinhole.platform.client.ServiceClients;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.LogInRequest;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.identity.v1.UpdateProfileRequest;
import io.pinhole.media.v1.AddCommentRequest;
import io.pinhole.media.v1.LikeRequest;
import io.pinhole.media.v1.ListUserMediaRequest;
import io.pinhole.media.v1.Location;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.platform.client.MediaUploads;
import io.pinhole.platform.config.Env;
import java.time.Duration;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.server.Viewer;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * The small demo world of {@code ./pinhole up --demo}: a few people who follow each other, photos with captions,
 * hashtags, places, likes and comments — all through the services' public gRPC APIs, as a client would make them.
 * Running it again changes nothing (existing accounts log in; accounts with photos get no more).
 */
public final class DemoWorld {

    static final String PASSWORD = "pinhole-demo";

    private record Person(String username, String fullName, String bio, boolean isPrivate) {}

    private record Post(String caption, String place, double lat, double lng, Color from, Color to) {}

    private static final List<Person> PEOPLE = List.of(
            new Person("ana", "Ana Lima", "Light chaser. Lisbon.", false),
            new Person("ben", "Ben Okafor", "Street and rain.", false),
            new Person("chloe", "Chloé Dubois", "Croissants & coastlines", false),
            new Person("dev", "Dev Patel", "Mountains on weekends", false),
            new Person("emi", "Emi Sato", "Friends only", true));

    private static final Map<String, List<Post>> POSTS = Map.of(
            "ana", List.of(new Post("Golden hour over the river #sunset #lisbon", "Lisbon", 38.7077, -9.1365, new Color(255, 140, 60), new Color(90, 40, 120)),
                           new Post("Tram 28, again #lisbon #streets", "Alfama", 38.7139, -9.1300, new Color(250, 210, 60), new Color(200, 60, 40))),
            "ben", List.of(new Post("Puddles make the city twice #rain #streets with @ana", "London", 51.5072, -0.1276, new Color(60, 70, 90), new Color(150, 160, 180))),
            "chloe", List.of(new Post("Low tide at Étretat #sea #normandie", "Étretat", 49.7071, 0.2045, new Color(90, 170, 220), new Color(230, 220, 190)),
                             new Post("Breakfast. #croissant", "Paris", 48.8566, 2.3522, new Color(240, 200, 140), new Color(160, 100, 50))),
            "dev", List.of(new Post("Above the clouds #mountains #sunset", "Chamonix", 45.9237, 6.8694, new Color(250, 120, 90), new Color(40, 60, 120))),
            "emi", List.of(new Post("Only for my friends #tokyo", "Tokyo", 35.6762, 139.6503, new Color(230, 80, 140), new Color(40, 30, 80))));

    private DemoWorld() {}

    public static void main(String[] args) throws Exception {
        final Env env = Env.system();
        // (the addresses may list several replicas: ./pinhole up --replicas)
        final IdentityServiceBlockingStub identity = GrpcClients.newClient(SessionProtocol.HTTP,
                ServiceClients.endpoints(PinholeService.IDENTITY.address(env)), IdentityServiceBlockingStub.class);
        final MediaServiceBlockingStub media = GrpcClients.newClient(SessionProtocol.HTTP,
                ServiceClients.endpoints(PinholeService.MEDIA.address(env)), MediaServiceBlockingStub.class);
        final MediaServiceStub uploads = GrpcClients.newClient(SessionProtocol.HTTP,
                ServiceClients.endpoints(PinholeService.MEDIA.address(env)), MediaServiceStub.class);

        final Map<String, Long> ids = new LinkedHashMap<>();
        for (Person person : PEOPLE) {
            ids.put(person.username(), account(identity, person));
        }
        final String[][] follows = {{"ana", "ben"}, {"ana", "chloe"}, {"ben", "ana"}, {"ben", "dev"}, {"chloe", "ana"},
                                    {"chloe", "dev"}, {"dev", "chloe"}, {"dev", "ana"}, {"ana", "emi"}, {"ben", "emi"}};
        for (String[] pair : follows) {
            Viewer.as(identity, ids.get(pair[0])).follow(FollowRequest.newBuilder().setUserId(ids.get(pair[1])).build());
        }
        // emi is private: approve ana, leave ben's request pending.
        Viewer.as(identity, ids.get("emi")).approveFollowRequest(
                io.pinhole.identity.v1.ApproveFollowRequestRequest.newBuilder().setUserId(ids.get("ana")).build());

        final Random random = new Random(2011);
        final List<Media> posted = new ArrayList<>();
        for (Map.Entry<String, Long> person : ids.entrySet()) {
            final long owner = person.getValue();
            if (Viewer.as(media, owner).listUserMedia(ListUserMediaRequest.newBuilder().setUserId(owner).build()).getMediaIdsCount() > 0) {
                continue;
            }
            for (Post post : POSTS.getOrDefault(person.getKey(), List.of())) {
                posted.add(upload(Viewer.as(uploads, owner), post, photo(post, random)));
            }
        }
        for (Media photo : posted) {
            for (long liker : ids.values()) {
                if (liker != photo.getOwnerId() && random.nextInt(3) > 0) {
                    try {
                        Viewer.as(media, liker).like(LikeRequest.newBuilder().setMediaId(photo.getId()).build());
                    } catch (StatusRuntimeException e) {
                        if (e.getStatus().getCode() != Status.Code.NOT_FOUND) { // private photos stay invisible
                            throw e;
                        }
                    }
                }
            }
        }
        if (!posted.isEmpty()) {
            Viewer.as(media, ids.get("chloe")).addComment(AddCommentRequest.newBuilder()
                    .setMediaId(posted.getFirst().getId()).setText("Wow, @ana! 😍").build());
        }
        System.out.printf("demo world: %d people (password '%s'): %s; %d new photos%n",
                          ids.size(), PASSWORD, String.join(", ", ids.keySet()), posted.size());
        System.exit(0);
    }

    private static long account(IdentityServiceBlockingStub identity, Person person) {
        try {
            final long id = identity.signUp(SignUpRequest.newBuilder().setUsername(person.username())
                    .setEmail(person.username() + "@demo.pinhole.invalid").setPassword(PASSWORD)
                    .setFullName(person.fullName()).build()).getUser().getId();
            Viewer.as(identity, id).updateProfile(UpdateProfileRequest.newBuilder().setBio(person.bio())
                    .setIsPrivate(person.isPrivate()).build());
            return id;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                throw e;
            }
            return identity.logIn(LogInRequest.newBuilder().setUsername(person.username()).setPassword(PASSWORD).build())
                           .getUser().getId();
        }
    }

    private static Media upload(MediaServiceStub stub, Post post, byte[] photo) {
        return MediaUploads.upload(stub, UploadHeader.newBuilder().setCaption(post.caption()).setLocation(Location.newBuilder()
                .setName(post.place()).setLat(post.lat()).setLng(post.lng())).build(), photo, Duration.ofSeconds(60));
    }

    /** A simple landscape: a sky gradient, a sun and a horizon of hills. */
    private static byte[] photo(Post post, Random random) throws Exception {
        final BufferedImage image = new BufferedImage(1280, 960, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, post.to(), 0, 960, post.from()));
        g.fillRect(0, 0, 1280, 960);
        g.setColor(new Color(255, 240, 200, 220));
        g.fillOval(200 + random.nextInt(800), 200 + random.nextInt(200), 160, 160);
        g.setColor(post.to().darker().darker());
        final int[] xs = new int[22];
        final int[] ys = new int[22];
        for (int i = 0; i < 20; i++) {
            xs[i] = i * 1280 / 19;
            ys[i] = 620 + random.nextInt(160);
        }
        xs[20] = 1280;
        ys[20] = 960;
        xs[21] = 0;
        ys[21] = 960;
        g.fillPolygon(xs, ys, 22);
        g.setStroke(new BasicStroke(3));
        g.dispose();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", bytes);
        return bytes.toByteArray();
    }
}
