package io.pinhole.platform.events;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import org.apache.ibatis.session.SqlSession;

/**
 * Remembers which events a consumer group has applied, for side effects that are not idempotent by themselves.
 *
 * <p>Call {@link #firstTime} inside the transaction that applies the effect (in the shard the effect writes to):
 * the marker commits or rolls back with the effect, so a redelivered event is applied exactly once. Markers live in
 * the shard's {@code processed_events} table (platform migration V1_2) and are pruned with the outbox retention.
 */
public final class ProcessedEvents {

    private ProcessedEvents() {}

    /** Records {@code eventId} for {@code group}; false when it was already recorded (skip the effect). */
    public static boolean firstTime(SqlSession session, String group, String eventId) {
        try (PreparedStatement insert = session.getConnection().prepareStatement(
                "INSERT INTO processed_events (consumer_group, event_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, group);
            insert.setObject(2, UUID.fromString(eventId));
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("could not record processed event " + eventId, e);
        }
    }
}
