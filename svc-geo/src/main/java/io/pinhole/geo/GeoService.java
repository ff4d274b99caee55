package io.pinhole.geo;

import io.pinhole.geo.v1.GeoServiceGrpc;

/**
 * {@code pinhole.geo.v1.GeoService}. A skeleton until issue 7 lands: every RPC answers UNIMPLEMENTED (the generated
 * base class's behaviour), which the gateway reports as UNAVAILABLE.
 */
final class GeoService extends GeoServiceGrpc.GeoServiceImplBase {
}
