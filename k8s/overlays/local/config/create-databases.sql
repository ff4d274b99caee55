-- Each service owns one database on every physical server (ADR 0003); the services create the shard schemas
-- inside it themselves (Flyway, at start). svc-feed and svc-geo keep no PostgreSQL data.
CREATE DATABASE pinhole_identity;
CREATE DATABASE pinhole_media;
CREATE DATABASE pinhole_notify;
