package io.pinhole.gateway.notify;

import com.netflix.graphql.dgs.DgsComponent;
import com.netflix.graphql.dgs.DgsDataFetchingEnvironment;
import com.netflix.graphql.dgs.DgsMutation;
import com.netflix.graphql.dgs.InputArgument;
import io.pinhole.gateway.auth.ViewerContext;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@code Mutation.registerDevice}: push notifications to the signed-in viewer's device (svc-notify). */
@DgsComponent
public class DeviceMutations {

    private final NotifyClient notify;

    public DeviceMutations(NotifyClient notify) {
        this.notify = notify;
    }

    /** True once registered; registering the same token again refreshes it. UNAUTHENTICATED when anonymous. */
    @DgsMutation
    public CompletableFuture<Boolean> registerDevice(@InputArgument("input") Map<String, Object> input,
                                                     DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = ViewerContext.from(env);
        viewer.requireViewerId();
        return notify.registerDevice(viewer, String.valueOf(input.get("platform")), (String) input.get("token"),
                                     (String) input.get("appId"), (String) input.get("locale"));
    }
}
