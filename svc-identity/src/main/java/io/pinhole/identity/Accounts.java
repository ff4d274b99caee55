package io.pinhole.identity;

import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.events.v1.ProfileUpdated;
import io.pinhole.events.v1.UserSignedUp;
import io.pinhole.identity.v1.LogInRequest;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.identity.v1.UpdateProfileRequest;
import io.pinhole.identity.v1.User;
import io.pinhole.platform.error.PinholeException;
import io.pinhole.platform.events.Outbox;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.shard.ShardedDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Sign-up, log-in and profile changes: everything that writes a user's own row. */
final class Accounts {

    /** Limits on failed logins and sign-ups (RESOURCE_EXHAUSTED beyond them). */
    record Limits(int failedLoginsPerUsername, int failedLoginsPerAddress, int signUpsPerAddress, Duration window) {
        static Limits fromEnvironment(io.pinhole.platform.config.Env env) {
            return new Limits(env.integer("PINHOLE_LOGIN_FAILURES_PER_USERNAME", 10),
                              env.integer("PINHOLE_LOGIN_FAILURES_PER_ADDRESS", 50),
                              env.integer("PINHOLE_SIGNUPS_PER_ADDRESS", 20),
                              env.duration("PINHOLE_RATE_LIMIT_WINDOW", Duration.ofMinutes(15)));
        }
    }

    private final ShardedDatabase database;
    private final Users users;
    private final NameClaims claims;
    private final PasswordHasher passwords;
    private final RateLimiter rateLimiter;
    private final Limits limits;
    private final AvatarLookup avatars;

    Accounts(ShardedDatabase database, Users users, PasswordHasher passwords, RateLimiter rateLimiter, Limits limits,
             AvatarLookup avatars) {
        this.database = database;
        this.users = users;
        this.claims = new NameClaims(database);
        this.passwords = passwords;
        this.rateLimiter = rateLimiter;
        this.limits = limits;
        this.avatars = avatars;
    }

    /** Creates the account; the caller opens its first session. */
    User signUp(SignUpRequest request) {
        final Optional<String> username = AccountRules.username(request.getUsername());
        final String email = request.getEmail().strip().toLowerCase(Locale.ROOT);
        PinholeException.invalidArguments()
                .addIf(username.isEmpty(), "username", "1–30 characters of a–z, 0–9, '.' and '_'")
                .addIf(!AccountRules.isEmail(email), "email", "must be an email address of at most 254 characters")
                .addIf(!AccountRules.isPassword(request.getPassword()), "password", "must have 8–256 characters")
                .addIf(!AccountRules.isDisplayText(request.getFullName(), AccountRules.MAX_FULL_NAME, false),
                       "full_name", "at most 64 characters, no control characters")
                .throwIfAny();
        final Optional<String> client = AccountRules.clientSubject(request.getClientAddress());
        final List<RateLimiter.Limit> signUpLimit = client
                .map(address -> List.of(new RateLimiter.Limit(IdentityKeys.signUpsForAddress(address),
                                                              limits.signUpsPerAddress(), limits.window())))
                .orElse(List.of());
        rateLimiter.check("too many sign-ups from this address", signUpLimit);
        rateLimiter.count(signUpLimit);

        // Hash first: it is the slow step, and claims should be held for as short a time as possible.
        final UserRow user = new UserRow();
        user.username = username.orElseThrow();
        user.email = email;
        user.passwordHash = passwords.hash(request.getPassword());
        user.fullName = request.getFullName().strip();
        final int shard = ThreadLocalRandom.current().nextInt(database.shardMap().logicalShards());
        user.id = database.inShard(shard, session -> session.getMapper(IdentityMapper.class)
                                                             .nextId(io.pinhole.platform.shard.ShardMap.schemaOf(shard)));

        claims.claim(NameClaims.USERNAME, user.username, user.id);
        try {
            claims.claim(NameClaims.EMAIL, user.email, user.id);
            try {
                database.inShard(shard, session -> {
                    final IdentityMapper mapper = session.getMapper(IdentityMapper.class);
                    final String schema = Users.schemaOf(user.id);
                    mapper.insertUser(schema, user);
                    mapper.insertSearchTerms(schema, user.id, SearchText.termsOf(user.username, user.fullName));
                    Outbox.append(session, EventEnvelope.newBuilder()
                            .setAggregateId(user.id)
                            .setUserSignedUp(UserSignedUp.newBuilder().setUserId(user.id)
                                                         .setUsername(user.username).setFullName(user.fullName))
                            .build());
                    return null;
                });
            } catch (RuntimeException e) {
                claims.release(NameClaims.EMAIL, user.email, user.id);
                throw e;
            }
        } catch (RuntimeException e) {
            claims.release(NameClaims.USERNAME, user.username, user.id);
            throw e;
        }
        return read(user.id);
    }

    /**
     * Checks the credentials and returns the user. Failures count against the username and the client address;
     * beyond either limit the answer is RESOURCE_EXHAUSTED whatever the password.
     */
    User logIn(LogInRequest request) {
        PinholeException.invalidArguments()
                .addIf(request.getUsername().isEmpty(), "username", "required")
                .addIf(request.getPassword().isEmpty(), "password", "required")
                .throwIfAny();
        final String username = request.getUsername().strip().toLowerCase(Locale.ROOT);
        final List<RateLimiter.Limit> failureLimits = new ArrayList<>();
        failureLimits.add(new RateLimiter.Limit(IdentityKeys.loginFailuresForUsername(username),
                                                limits.failedLoginsPerUsername(), limits.window()));
        AccountRules.clientSubject(request.getClientAddress()).ifPresent(address -> failureLimits.add(
                new RateLimiter.Limit(IdentityKeys.loginFailuresForAddress(address),
                                      limits.failedLoginsPerAddress(), limits.window())));
        rateLimiter.check("too many failed logins; wait before trying again", failureLimits);

        final UserRow user = AccountRules.username(username)
                .map(name -> users.idsByUsernames(List.of(name)).get(name))
                .map(this::row)
                .orElse(null);
        if (user == null) {
            passwords.verifyDecoy(request.getPassword());
        }
        if (user == null || !passwords.matches(request.getPassword(), user.passwordHash)) {
            rateLimiter.count(failureLimits);
            throw PinholeException.unauthenticated("wrong username or password");
        }
        rateLimiter.reset(failureLimits.get(0).key());
        if (passwords.needsUpgrade(user.passwordHash)) {
            final String upgraded = passwords.hash(request.getPassword());
            database.inShard(PinholeIds.shard(user.id), session -> {
                session.getMapper(IdentityMapper.class).updatePasswordHash(Users.schemaOf(user.id), user.id, upgraded);
                return null;
            });
        }
        return user.toUser();
    }

    /**
     * Applies the fields present in {@code request} to the viewer's profile. Returns true when the account turned
     * public, so that the caller accepts the pending follow requests.
     */
    boolean updateProfile(long viewerId, UpdateProfileRequest request) {
        final var violations = PinholeException.invalidArguments()
                .addIf(request.hasFullName() && !AccountRules.isDisplayText(request.getFullName(), AccountRules.MAX_FULL_NAME, false),
                       "full_name", "at most 64 characters, no control characters")
                .addIf(request.hasBio() && !AccountRules.isDisplayText(request.getBio(), AccountRules.MAX_BIO, true),
                       "bio", "at most 150 characters, no control characters except newlines")
                .addIf(request.hasWebsite() && !AccountRules.isWebsite(request.getWebsite().strip()),
                       "website", "an http(s) URL of at most 200 characters")
                .addIf(request.hasAvatarMediaId() && request.getAvatarMediaId() < 0, "avatar_media_id", "must be a media ID");
        violations.throwIfAny();
        String avatarUrl = null;
        if (request.hasAvatarMediaId() && request.getAvatarMediaId() != 0) {
            avatarUrl = avatars.thumbnailUrl(viewerId, request.getAvatarMediaId());
        }
        final String newAvatarUrl = avatarUrl;
        final boolean becamePublic = database.inShard(PinholeIds.shard(viewerId), session -> {
            final IdentityMapper mapper = session.getMapper(IdentityMapper.class);
            final String schema = Users.schemaOf(viewerId);
            final UserRow user = mapper.userForUpdate(schema, viewerId);
            if (user == null) {
                throw PinholeException.notFound("the viewer's account does not exist");
            }
            final List<String> changed = new ArrayList<>();
            if (request.hasFullName() && !request.getFullName().strip().equals(user.fullName)) {
                user.fullName = request.getFullName().strip();
                changed.add("full_name");
                mapper.deleteSearchTerms(schema, viewerId);
                mapper.insertSearchTerms(schema, viewerId, SearchText.termsOf(user.username, user.fullName));
            }
            if (request.hasBio() && !request.getBio().equals(user.bio)) {
                user.bio = request.getBio();
                changed.add("bio");
            }
            if (request.hasWebsite() && !request.getWebsite().strip().equals(user.website)) {
                user.website = request.getWebsite().strip();
                changed.add("website");
            }
            if (request.hasAvatarMediaId() && request.getAvatarMediaId() != user.avatarMediaId) {
                user.avatarMediaId = request.getAvatarMediaId();
                user.avatarUrl = newAvatarUrl == null ? "" : newAvatarUrl;
                changed.add("avatar_media_id");
            }
            final boolean privacy = request.hasIsPrivate() && request.getIsPrivate() != user.isPrivate;
            if (privacy) {
                user.isPrivate = request.getIsPrivate();
                changed.add("is_private");
            }
            if (changed.isEmpty()) {
                return false;
            }
            mapper.updateProfile(schema, user);
            Outbox.append(session, EventEnvelope.newBuilder()
                    .setAggregateId(viewerId)
                    .setProfileUpdated(ProfileUpdated.newBuilder().setUserId(viewerId).setIsPrivate(user.isPrivate)
                                                     .setPrivacyChanged(privacy).addAllChangedFields(changed))
                    .build());
            return privacy && !user.isPrivate;
        });
        users.invalidate(viewerId);
        return becamePublic;
    }

    /** The user's row, fresh from PostgreSQL (never the cache); null when there is none. */
    UserRow row(long userId) {
        if (!users.isPossibleId(userId)) {
            return null;
        }
        return database.inShard(PinholeIds.shard(userId),
                session -> session.getMapper(IdentityMapper.class).user(Users.schemaOf(userId), userId));
    }

    User read(long userId) {
        final UserRow row = row(userId);
        if (row == null) {
            throw PinholeException.notFound("no user " + userId);
        }
        return row.toUser();
    }
}
