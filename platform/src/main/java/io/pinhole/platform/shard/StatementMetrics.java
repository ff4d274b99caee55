package io.pinhole.platform.shard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ibatis.executor.Executor;
import org.apache.ibatis.mapping.MappedStatement;
import org.apache.ibatis.plugin.Interceptor;
import org.apache.ibatis.plugin.Intercepts;
import org.apache.ibatis.plugin.Invocation;
import org.apache.ibatis.plugin.Signature;
import org.apache.ibatis.session.ResultHandler;
import org.apache.ibatis.session.RowBounds;

/**
 * Counts the SQL statements each mapper method sends ({@code pinhole.sql.statements{statement, server}}), so
 * dashboards and tests can check that a batch read costs one statement per physical server.
 */
@Intercepts({
        @Signature(type = Executor.class, method = "query",
                   args = {MappedStatement.class, Object.class, RowBounds.class, ResultHandler.class}),
        @Signature(type = Executor.class, method = "update", args = {MappedStatement.class, Object.class})})
final class StatementMetrics implements Interceptor {

    private final MeterRegistry registry;
    private final String server;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    StatementMetrics(MeterRegistry registry, int server) {
        this.registry = registry;
        this.server = Integer.toString(server);
    }

    @Override
    public Object intercept(Invocation invocation) throws Throwable {
        final MappedStatement statement = (MappedStatement) invocation.getArgs()[0];
        counters.computeIfAbsent(statement.getId(), id -> Counter.builder("pinhole.sql.statements")
                .description("SQL statements sent, per mapper method and physical server")
                .tag("statement", id).tag("server", server).register(registry)).increment();
        return invocation.proceed();
    }
}
