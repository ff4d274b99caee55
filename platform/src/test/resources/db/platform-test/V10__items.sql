-- A table of the kind every service has: its ID comes from the shard's generator.
CREATE TABLE ${flyway:defaultSchema}.items (
    id bigint PRIMARY KEY DEFAULT ${flyway:defaultSchema}.next_id(),
    worker int NOT NULL
);
