-- The transactional outbox of this logical shard: a producer inserts its event in the same transaction as the change
-- it describes; the relay (io.pinhole.platform.events.OutboxRelay) publishes committed rows to Redis Streams in id
-- order and marks them sent; sent rows are pruned after a retention period.
CREATE TABLE ${flyway:defaultSchema}.outbox (
    id           bigserial PRIMARY KEY,
    topic        text        NOT NULL,
    aggregate_id bigint      NOT NULL,
    event_id     uuid        NOT NULL UNIQUE,
    payload      bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    sent_at      timestamptz
);

-- The relay's work list: only unsent rows, in publishing order.
CREATE INDEX outbox_unsent ON ${flyway:defaultSchema}.outbox (id) WHERE sent_at IS NULL;
-- Pruning of old sent rows.
CREATE INDEX outbox_sent ON ${flyway:defaultSchema}.outbox (sent_at) WHERE sent_at IS NOT NULL;
