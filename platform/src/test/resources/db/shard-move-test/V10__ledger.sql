-- What ShardMoveTest's writers write while a shard moves: each row is one acknowledged insert, and `updates` counts the
-- acknowledged updates of it, so a lost or repeated write shows as a missing row or a wrong count.
CREATE TABLE ${flyway:defaultSchema}.ledger (
    id         bigint PRIMARY KEY DEFAULT ${flyway:defaultSchema}.next_id(),
    writer     int         NOT NULL,
    updates    int         NOT NULL DEFAULT 0,
    written_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
