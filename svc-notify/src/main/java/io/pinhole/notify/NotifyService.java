package io.pinhole.notify;

import io.pinhole.notify.v1.NotifyServiceGrpc;

/**
 * {@code pinhole.notify.v1.NotifyService}. A skeleton until issue 8 lands: every RPC answers UNIMPLEMENTED (the generated
 * base class's behaviour), which the gateway reports as UNAVAILABLE.
 */
final class NotifyService extends NotifyServiceGrpc.NotifyServiceImplBase {
}
