-- svc-identity's tables in every logical shard (svc-identity/README.md explains the layout).

-- A user lives in the logical shard chosen at sign-up; the ID names it.
CREATE TABLE ${flyway:defaultSchema}.users (
    id              bigint PRIMARY KEY DEFAULT ${flyway:defaultSchema}.next_id(),
    username        text        NOT NULL UNIQUE,
    email           text        NOT NULL,
    password_hash   text        NOT NULL,
    full_name       text        NOT NULL DEFAULT '',
    bio             text        NOT NULL DEFAULT '',
    website         text        NOT NULL DEFAULT '',
    avatar_media_id bigint      NOT NULL DEFAULT 0,
    avatar_url      text        NOT NULL DEFAULT '',
    is_private      boolean     NOT NULL DEFAULT false,
    follower_count  bigint      NOT NULL DEFAULT 0 CHECK (follower_count >= 0),
    following_count bigint      NOT NULL DEFAULT 0 CHECK (following_count >= 0),
    media_count     bigint      NOT NULL DEFAULT 0 CHECK (media_count >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Usernames and emails, in the shard named by a stable hash of the lower-cased name (not the user's shard): the
-- primary key makes a name unique across all shards, and a lookup by name is one query on one shard.
CREATE TABLE ${flyway:defaultSchema}.name_claims (
    kind       text        NOT NULL CHECK (kind IN ('username', 'email')),
    name       text        NOT NULL,
    user_id    bigint      NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);

-- Typeahead: the username, the whole full name and each of its words, lower-cased without accents, for this
-- shard's users. Byte order ("C") lets a prefix be an index range scan.
CREATE TABLE ${flyway:defaultSchema}.search_terms (
    term    text COLLATE "C" NOT NULL,
    user_id bigint           NOT NULL,
    PRIMARY KEY (term, user_id)
);
CREATE INDEX search_terms_user ON ${flyway:defaultSchema}.search_terms (user_id);

-- The follow graph keeps both sides of an edge: `following` in the follower's shard is the truth; `followers` in the
-- followee's shard mirrors it (FollowGraph repairs the mirror). pending = a request to a private account.
CREATE TABLE ${flyway:defaultSchema}.following (
    follower_id bigint      NOT NULL,
    followee_id bigint      NOT NULL,
    pending     boolean     NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (follower_id, followee_id)
);
CREATE INDEX following_recent ON ${flyway:defaultSchema}.following (follower_id, pending, created_at DESC, followee_id DESC);

CREATE TABLE ${flyway:defaultSchema}.followers (
    followee_id bigint      NOT NULL,
    follower_id bigint      NOT NULL,
    pending     boolean     NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (followee_id, follower_id)
);
CREATE INDEX followers_recent ON ${flyway:defaultSchema}.followers (followee_id, pending, created_at DESC, follower_id DESC);

-- Blocks: `blocks` in the blocker's shard is the truth; `blocked_by` in the blocked user's shard mirrors it, so that
-- everything about one viewer's relationships is read from the viewer's shard.
CREATE TABLE ${flyway:defaultSchema}.blocks (
    blocker_id bigint      NOT NULL,
    blocked_id bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id)
);

CREATE TABLE ${flyway:defaultSchema}.blocked_by (
    blocked_id bigint      NOT NULL,
    blocker_id bigint      NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (blocked_id, blocker_id)
);
