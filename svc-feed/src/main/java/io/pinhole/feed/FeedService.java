package io.pinhole.feed;

import io.pinhole.feed.v1.FeedServiceGrpc;

/**
 * {@code pinhole.feed.v1.FeedService}. A skeleton until issue 6 lands: every RPC answers UNIMPLEMENTED (the generated
 * base class's behaviour), which the gateway reports as UNAVAILABLE.
 */
final class FeedService extends FeedServiceGrpc.FeedServiceImplBase {
}
