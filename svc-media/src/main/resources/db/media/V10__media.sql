-- svc-media's tables in every logical shard. A media lives in its owner's shard (its ID names it), with its likes,
-- comments and tag entries, so every write to a media is one transaction in one shard.

CREATE TABLE ${flyway:defaultSchema}.media (
    id                 bigint PRIMARY KEY DEFAULT ${flyway:defaultSchema}.next_id(),
    owner_id           bigint      NOT NULL,
    caption            text        NOT NULL DEFAULT '',
    location_name      text,
    lat                double precision,
    lng                double precision,
    tags               text[]      NOT NULL DEFAULT '{}',
    mentioned_user_ids bigint[]    NOT NULL DEFAULT '{}',
    low_width          integer     NOT NULL,
    low_height         integer     NOT NULL,
    standard_width     integer     NOT NULL,
    standard_height    integer     NOT NULL,
    like_count         bigint      NOT NULL DEFAULT 0 CHECK (like_count >= 0),
    comment_count      bigint      NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
    upload_id          text UNIQUE,
    created_at         timestamptz NOT NULL DEFAULT now(),
    deleted_at         timestamptz
);
-- A user's grid and the recent media of many owners (timeline rebuilds), newest first; IDs are time-sortable.
CREATE INDEX media_owner_recent ON ${flyway:defaultSchema}.media (owner_id, id DESC) WHERE deleted_at IS NULL;

CREATE TABLE ${flyway:defaultSchema}.likes (
    media_id   bigint      NOT NULL,
    user_id    bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (media_id, user_id)
);
CREATE INDEX likes_recent ON ${flyway:defaultSchema}.likes (media_id, created_at DESC, user_id DESC);
-- "Has the viewer liked these media?" — per viewer across the shard's media.
CREATE INDEX likes_by_user ON ${flyway:defaultSchema}.likes (user_id, media_id);

CREATE TABLE ${flyway:defaultSchema}.comments (
    id                 bigint PRIMARY KEY DEFAULT ${flyway:defaultSchema}.next_id(),
    media_id           bigint      NOT NULL,
    author_id          bigint      NOT NULL,
    text               text        NOT NULL,
    mentioned_user_ids bigint[]    NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL DEFAULT now(),
    deleted_at         timestamptz
);
CREATE INDEX comments_of_media ON ${flyway:defaultSchema}.comments (media_id, id) WHERE deleted_at IS NULL;

-- Hashtags of this shard's media. A tag page is a merge of every shard's newest entries (IDs sort by time).
CREATE TABLE ${flyway:defaultSchema}.tag_media (
    tag      text   NOT NULL,
    media_id bigint NOT NULL,
    PRIMARY KEY (tag, media_id)
);
-- Media count per tag in this shard (GetTag sums the shards).
CREATE TABLE ${flyway:defaultSchema}.tag_counts (
    tag         text   PRIMARY KEY,
    media_count bigint NOT NULL DEFAULT 0 CHECK (media_count >= 0)
);
