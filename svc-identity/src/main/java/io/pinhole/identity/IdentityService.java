package io.pinhole.identity;

import io.pinhole.identity.v1.IdentityServiceGrpc;

/**
 * {@code pinhole.identity.v1.IdentityService}. A skeleton until issue 4 lands: every RPC answers UNIMPLEMENTED (the generated
 * base class's behaviour), which the gateway reports as UNAVAILABLE.
 */
final class IdentityService extends IdentityServiceGrpc.IdentityServiceImplBase {
}
