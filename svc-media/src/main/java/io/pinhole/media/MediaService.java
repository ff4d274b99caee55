package io.pinhole.media;

import io.pinhole.media.v1.MediaServiceGrpc;

/**
 * {@code pinhole.media.v1.MediaService}. A skeleton until issue 5 lands: every RPC answers UNIMPLEMENTED (the generated
 * base class's behaviour), which the gateway reports as UNAVAILABLE.
 */
final class MediaService extends MediaServiceGrpc.MediaServiceImplBase {
}
