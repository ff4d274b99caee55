package io.pinhole.gateway.user;

import com.netflix.graphql.dgs.DgsComponent;
import com.netflix.graphql.dgs.DgsDataFetchingEnvironment;
import com.netflix.graphql.dgs.DgsQuery;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.model.User;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.dataloader.DataLoader;

/** Query fields that return users. */
@DgsComponent
public class UserDataFetcher {

    /** The signed-in user; null for anonymous requests. A bad token fails this field only (UNAUTHENTICATED). */
    @DgsQuery
    public CompletableFuture<User> viewer(DgsDataFetchingEnvironment env) {
        final OptionalLong viewerId = ViewerContext.from(env).viewerId();
        if (viewerId.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        final DataLoader<Long, User> users = env.getDataLoader(UserDataLoader.class);
        return users.load(viewerId.getAsLong());
    }
}
