package io.pinhole.notify;

/** A push service client. Throws for a failure worth retrying (network, throttling, the service's 5xx). */
interface PushSender extends AutoCloseable {

    /** What the push service said about a push it answered. */
    enum Outcome {
        /** Accepted for delivery. */
        SENT,
        /** The token is invalid or no longer registered: forget the device. */
        INVALID_TOKEN,
        /** Refused for a reason retrying cannot fix (payload, topic). */
        REJECTED
    }

    Outcome send(PushMessage message) throws Exception;

    @Override
    default void close() {}
}
