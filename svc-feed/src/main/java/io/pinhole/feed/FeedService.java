package io.pinhole.feed;

import io.grpc.stub.StreamObserver;
import io.pinhole.feed.v1.FeedServiceGrpc;
import io.pinhole.feed.v1.GetActivityRequest;
import io.pinhole.feed.v1.GetActivityResponse;
import io.pinhole.feed.v1.GetHomeFeedRequest;
import io.pinhole.feed.v1.GetHomeFeedResponse;
import io.pinhole.feed.v1.GetPopularRequest;
import io.pinhole.feed.v1.GetPopularResponse;
import io.pinhole.platform.server.Viewer;

/** {@code pinhole.feed.v1.FeedService}: the viewer, then {@link HomeFeed}, {@link Activities} or {@link Popular}. */
final class FeedService extends FeedServiceGrpc.FeedServiceImplBase {

    private final HomeFeed homeFeed;
    private final Activities activities;
    private final Popular popular;

    FeedService(HomeFeed homeFeed, Activities activities, Popular popular) {
        this.homeFeed = homeFeed;
        this.activities = activities;
        this.popular = popular;
    }

    @Override
    public void getHomeFeed(GetHomeFeedRequest request, StreamObserver<GetHomeFeedResponse> responses) {
        responses.onNext(homeFeed.page(Viewer.require(), request.getPage()));
        responses.onCompleted();
    }

    @Override
    public void getActivity(GetActivityRequest request, StreamObserver<GetActivityResponse> responses) {
        responses.onNext(activities.page(Viewer.require(), request.getPage()));
        responses.onCompleted();
    }

    @Override
    public void getPopular(GetPopularRequest request, StreamObserver<GetPopularResponse> responses) {
        responses.onNext(popular.page(Viewer.current(), request.getPage()));
        responses.onCompleted();
    }
}
