-- Events a consumer group has applied in this shard (io.pinhole.platform.events.ProcessedEvents): written in the
-- same transaction as the side effect, so a redelivered event is applied once.
CREATE TABLE ${flyway:defaultSchema}.processed_events (
    consumer_group text        NOT NULL,
    event_id       uuid        NOT NULL,
    processed_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (consumer_group, event_id)
);
CREATE INDEX processed_events_age ON ${flyway:defaultSchema}.processed_events (processed_at);
