-- svc-notify's tables in every logical shard (svc-notify/README.md explains the placement).

-- A user's push devices, in the user's shard. platform: 1 APNs, 2 FCM (DevicePlatform numbers). Tokens may be 4,096
-- characters, longer than a B-tree entry may be: keys use their SHA-256 (token_hash).
CREATE TABLE ${flyway:defaultSchema}.devices (
    user_id       bigint      NOT NULL,
    platform      smallint    NOT NULL,
    token_hash    bytea       NOT NULL,
    token         text        NOT NULL,
    app_id        text        NOT NULL DEFAULT '',
    locale        text        NOT NULL DEFAULT '',
    registered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, platform, token_hash)
);

-- Who owns a token now, in the shard named by a stable hash of platform and token (not the user's shard): a token
-- registered by another user moves to them, and a push checks the claim before it goes out.
CREATE TABLE ${flyway:defaultSchema}.device_claims (
    platform   smallint NOT NULL,
    token_hash bytea    NOT NULL,
    user_id    bigint   NOT NULL,
    PRIMARY KEY (platform, token_hash)
);

-- Per-kind push preferences, in the user's shard; no row means every kind on.
CREATE TABLE ${flyway:defaultSchema}.preferences (
    user_id         bigint  PRIMARY KEY,
    likes           boolean NOT NULL DEFAULT true,
    comments        boolean NOT NULL DEFAULT true,
    follows         boolean NOT NULL DEFAULT true,
    follow_requests boolean NOT NULL DEFAULT true,
    mentions        boolean NOT NULL DEFAULT true
);

-- Real-time subscriptions, in the shard of what they watch (a user's own shard; a stable hash of tag or place), so
-- that a new post finds its subscribers with one indexed query per object. The ID names that shard.
-- object: 1 user, 2 tag, 3 location (SubscriptionObject numbers). secret: the signing secret, AES-GCM encrypted.
CREATE TABLE ${flyway:defaultSchema}.subscriptions (
    id                   bigint      PRIMARY KEY,
    subscriber_id        bigint      NOT NULL,
    object               smallint    NOT NULL,
    object_id            text        NOT NULL,
    callback_url         text        NOT NULL,
    secret               bytea       NOT NULL,
    active               boolean     NOT NULL DEFAULT true,
    consecutive_failures integer     NOT NULL DEFAULT 0,
    failing_since        timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_object ON ${flyway:defaultSchema}.subscriptions (object, object_id) WHERE active;
CREATE INDEX subscriptions_subscriber ON ${flyway:defaultSchema}.subscriptions (subscriber_id);

-- Connected sharing accounts, in the user's shard; token: the access token, AES-GCM encrypted.
CREATE TABLE ${flyway:defaultSchema}.sharing_accounts (
    user_id      bigint      NOT NULL,
    provider     text        NOT NULL,
    token        bytea       NOT NULL,
    display_name text        NOT NULL DEFAULT '',
    connected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, provider)
);

-- Deliveries (pushes, webhooks, shares) waiting, running or done, each in the shard of the row it serves. A claim
-- leases a job by moving due_at forward; done rows keep their dedupe_key for a day, so that a redelivered event
-- cannot deliver twice.
CREATE TABLE ${flyway:defaultSchema}.jobs (
    id         bigint      PRIMARY KEY DEFAULT ${flyway:defaultSchema}.next_id(),
    kind       text        NOT NULL,
    dedupe_key text        NOT NULL UNIQUE,
    payload    text        NOT NULL,
    due_at     timestamptz NOT NULL,
    attempts   integer     NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    done_at    timestamptz,
    outcome    text,
    last_error text
);
CREATE INDEX jobs_due ON ${flyway:defaultSchema}.jobs (due_at) WHERE done_at IS NULL;
CREATE INDEX jobs_done ON ${flyway:defaultSchema}.jobs (done_at) WHERE done_at IS NOT NULL;
