package io.pinhole.devstack;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests one {@link Devstack} per test JVM, shared by every test class, closed when the test run ends.
 *
 * <pre>{@code
 * @ExtendWith(DevstackExtension.class)
 * class MediaStoreTest {
 *     @BeforeAll
 *     static void database(Devstack devstack) {
 *         devstack.postgres().createDatabase("pinhole_media");   // only PostgreSQL starts
 *     }
 * }
 * }</pre>
 *
 * <p>Parameters of type {@code Devstack} are resolved in constructors, test and lifecycle methods. Code without an
 * extension context (a static initialiser, a helper) uses {@link #shared()}: the same instance. The instance is
 * {@link DevstackConfig#forTests()}: free ports, a fresh directory under {@code target/}, and components started
 * lazily, so a module whose tests only need Redis never starts Solr.
 */
public final class DevstackExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Devstack.class);

    private static Devstack shared;

    /** The devstack of this test JVM, created on first call; the JVM's shutdown closes it if JUnit has not. */
    public static synchronized Devstack shared() {
        if (shared == null || shared.isClosed()) {
            shared = Devstack.create(DevstackConfig.forTests());
        }
        return shared;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == Devstack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return shared(extensionContext);
    }

    /**
     * The shared devstack, registered in the root context's store, whose AutoCloseable values are closed when the
     * whole test run ends, in reverse order of registration: a service a test extension registers afterwards (e.g.
     * svc-identity's IdentityFixture) is therefore stopped before the servers it uses.
     */
    public static Devstack shared(ExtensionContext extensionContext) {
        final Devstack devstack = shared();
        extensionContext.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Devstack.class, key -> devstack,
                Devstack.class);
        return devstack;
    }
}
