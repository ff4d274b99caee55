package io.pinhole.platform.events;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import io.pinhole.events.v1.EventEnvelope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;
import io.pinhole.platform.shard.AfterCommit;
import org.apache.ibatis.session.SqlSession;

/**
 * Writes events into the current shard's {@code outbox} table, inside the caller's transaction (the one that makes
 * the change the event describes), so an event is published if and only if its change commits.
 *
 * <p>Use it inside {@code ShardedDatabase.inShard(...)}: the outbox is the one of that shard. Writers of one aggregate
 * are serialised by a transaction-scoped advisory lock on the aggregate, so the outbox's id order is their commit
 * order and the relay publishes each aggregate's events in order. Once the transaction commits, relays in this
 * process are woken (other processes' relays find the rows within their idle poll).
 */
public final class Outbox {

    private Outbox() {}

    /**
     * Appends {@code event} (its {@code event_id} and {@code occurred_at} are filled when empty) and returns the
     * envelope as stored.
     */
    public static EventEnvelope append(SqlSession session, EventEnvelope event) {
        requireNonNull(session, "session");
        requireNonNull(event, "event");
        final EventEnvelope.Builder stored = event.toBuilder();
        if (stored.getEventId().isEmpty()) {
            stored.setEventId(UUID.randomUUID().toString());
        }
        if (!stored.hasOccurredAt()) {
            final Instant now = Instant.now();
            stored.setOccurredAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()));
        }
        final EventEnvelope envelope = stored.build();
        final Connection connection = session.getConnection();
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)");
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO outbox (topic, aggregate_id, event_id, payload) VALUES (?, ?, ?, ?)")) {
            lock.setLong(1, envelope.getAggregateId());
            lock.execute();
            insert.setString(1, Topics.of(envelope));
            insert.setLong(2, envelope.getAggregateId());
            insert.setObject(3, UUID.fromString(envelope.getEventId()));
            insert.setBytes(4, envelope.toByteArray());
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not write the event to the outbox", e);
        }
        AfterCommit.run(OutboxRelay::wakeUp);
        return envelope;
    }
}
