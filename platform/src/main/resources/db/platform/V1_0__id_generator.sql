-- Pinhole IDs (Instagram's layout): 41 bits of milliseconds since 2026-01-01T00:00:00Z, 13 bits of logical shard,
-- 10 bits of sequence. Applied by Flyway to every logical shard schema; ${shard_id} is that shard's number.
--
-- Instagram's original used nextval() % 1024, which repeats an ID once a shard makes more than 1024 in one
-- millisecond and goes backwards when the sequence wraps inside a millisecond. Here the schema's sequence holds the
-- last (millisecond * 1024 + sequence) handed out, and each call takes max(last + 1, now * 1024) under a
-- session-level advisory lock held only for the few microseconds of the call (not until commit), so IDs are
-- unique and strictly increasing per shard; a burst of more than 1024 in one millisecond borrows the next
-- millisecond instead of colliding. setval() is not transactional, so a rolled-back insert never frees its ID.

CREATE SEQUENCE IF NOT EXISTS ${flyway:defaultSchema}.id_clock MINVALUE 0 START WITH 0;

CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.next_id() RETURNS bigint
    LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    pinhole_epoch_ms CONSTANT bigint := 1767225600000;
    shard CONSTANT bigint := ${shard_id};
    now_ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint - pinhole_epoch_ms;
    last_clock bigint;
    next_clock bigint;
BEGIN
    -- 0x5049 = 'PI': the advisory lock namespace for ID generation; the second key is the shard.
    PERFORM pg_advisory_lock(20553, ${shard_id});
    SELECT last_value INTO last_clock FROM ${flyway:defaultSchema}.id_clock;
    next_clock := greatest(last_clock + 1, now_ms * 1024);
    PERFORM setval('${flyway:defaultSchema}.id_clock', next_clock, true);
    PERFORM pg_advisory_unlock(20553, ${shard_id});
    RETURN ((next_clock >> 10) << 23) | (shard << 10) | (next_clock & 1023);
END;
$$;
