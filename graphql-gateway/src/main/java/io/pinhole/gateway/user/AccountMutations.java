package io.pinhole.gateway.user;

import com.netflix.graphql.dgs.DgsComponent;
import com.netflix.graphql.dgs.DgsDataFetchingEnvironment;
import com.netflix.graphql.dgs.DgsMutation;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.identity.IdentityClient;
import io.pinhole.gateway.model.AuthPayload;
import io.pinhole.gateway.model.User;
import io.pinhole.identity.v1.UpdateProfileRequest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Accounts and sessions: {@code signUp}, {@code logIn}, {@code logOut}, {@code updateProfile}. SignUp and LogIn
 * carry the client's IP address ({@link ViewerContext#clientAddress()}) for identity's rate limits.
 */
@DgsComponent
public class AccountMutations {

    private final IdentityClient identity;

    public AccountMutations(IdentityClient identity) {
        this.identity = identity;
    }

    /** Creates an account and its first session. Needs no viewer (a stale token in the request is ignored). */
    @DgsMutation
    public CompletableFuture<AuthPayload> signUp(DgsDataFetchingEnvironment env) {
        final Map<String, Object> input = env.getArgument("input");
        return identity.signUp(text(input, "username"), text(input, "email"), text(input, "password"),
                               text(input, "fullName"), ViewerContext.from(env).clientAddress());
    }

    /** Opens a session for a username and password. Needs no viewer. */
    @DgsMutation
    public CompletableFuture<AuthPayload> logIn(DgsDataFetchingEnvironment env) {
        final Map<String, Object> input = env.getArgument("input");
        return identity.logIn(text(input, "username"), text(input, "password"),
                              ViewerContext.from(env).clientAddress());
    }

    /**
     * Revokes the session of the request's bearer token, whether or not it is still valid (identity's LogOut is
     * idempotent): true when a live session ended, false for an unknown, expired or already revoked token and for
     * a request without an Authorization header. A malformed Authorization header is UNAUTHENTICATED.
     */
    @DgsMutation
    public CompletableFuture<Boolean> logOut(DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = ViewerContext.from(env);
        final Optional<String> token = viewer.token();
        if (token.isPresent()) {
            return identity.logOut(token.get());
        }
        viewer.viewerId(); // throws for a malformed header; without one there is no session to end
        return CompletableFuture.completedFuture(false);
    }

    /**
     * Changes the viewer's profile: only the input fields present and not null change; an empty string clears a
     * text field. UNAUTHENTICATED without a signed-in viewer.
     */
    @DgsMutation
    public CompletableFuture<User> updateProfile(DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = ViewerContext.from(env);
        viewer.requireViewerId();
        final Map<String, Object> input = env.getArgument("input");
        final UpdateProfileRequest.Builder request = UpdateProfileRequest.newBuilder();
        if (input.get("fullName") instanceof String fullName) {
            request.setFullName(fullName);
        }
        if (input.get("bio") instanceof String bio) {
            request.setBio(bio);
        }
        if (input.get("website") instanceof String website) {
            request.setWebsite(website);
        }
        if (input.get("isPrivate") instanceof Boolean isPrivate) {
            request.setIsPrivate(isPrivate);
        }
        return identity.updateProfile(viewer, request.build());
    }

    /** An input field as identity wants it: "" for a nullable field left out or null. */
    private static String text(Map<String, Object> input, String field) {
        return input.get(field) instanceof String value ? value : "";
    }
}
