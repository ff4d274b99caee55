package io.pinhole.platform.events;

import io.pinhole.events.v1.EventEnvelope;

/**
 * A consumer's side effect for one event. It must be safe under redelivery: idempotent by nature, or guarded by
 * {@link ProcessedEvents} in the same transaction as the effect. Throwing means "retry later".
 */
@FunctionalInterface
public interface EventHandler {

    void handle(EventEnvelope event) throws Exception;
}
