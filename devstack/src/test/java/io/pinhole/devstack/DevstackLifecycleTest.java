package io.pinhole.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A devstack of its own (not the shared one), started whole and closed, to prove close() leaves nothing behind. */
class DevstackLifecycleTest {

    @Test
    void environment_startsEverything_andClose_leavesNoProcessBehind() throws IOException {
        final Path dataDir = Files.createTempDirectory(Path.of("target"), "devstack-lifecycle-");
        final Devstack devstack = Devstack.create(DevstackConfig.builder(dataDir)
                .postgresServers(1)
                .deleteDataOnClose(true)
                .build());
        final List<Long> pids = new ArrayList<>();
        final List<Integer> ports;
        try {
            final Map<String, String> environment = devstack.environment();

            assertThat(environment.keySet()).containsExactly("PINHOLE_DB_SERVERS", "PINHOLE_DB_USER",
                    "PINHOLE_DB_PASSWORD", "PINHOLE_REDIS_URI", "PINHOLE_MEMCACHED_SERVERS", "PINHOLE_SOLR_URL",
                    "PINHOLE_S3_ENDPOINT", "PINHOLE_S3_REGION", "PINHOLE_S3_ACCESS_KEY", "PINHOLE_S3_SECRET_KEY",
                    "PINHOLE_S3_BUCKET");
            assertThat(environment.get("PINHOLE_DB_SERVERS")).isEqualTo(devstack.postgres().server(0).address());
            assertThat(environment.get("PINHOLE_S3_BUCKET")).isEqualTo(Devstack.DEFAULT_BUCKET);

            pids.add(devstack.postgres().server(0).postmasterPid().orElseThrow());
            pids.addAll(List.of(devstack.redis().pid(), devstack.memcached().pid(), devstack.s3().pid(),
                    devstack.solr().pid()));
            assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());
            ports = List.of(devstack.postgres().server(0).port(), devstack.redis().port(),
                    devstack.memcached().port(), devstack.s3().port(), devstack.solr().port());
        } finally {
            devstack.close();
        }

        // Every server is gone (the postmaster is no child of ours: pg_ctl detaches it), and so are their ports.
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ChildProcess::isRunning))
                .as("pid %d", pid).isEmpty());
        assertThat(ProcessHandle.current().descendants().map(ProcessHandle::pid)).doesNotContainAnyElementsOf(pids);
        assertThat(devstack.liveChildren()).isEmpty();
        assertThat(ports).allSatisfy(port -> assertThat(Ports.isFree(port)).as("port %d", port).isTrue());

        // The data is deleted, the logs are kept for post-mortems.
        try (Stream<Path> left = Files.list(dataDir)) {
            assertThat(left.map(path -> path.getFileName().toString())).containsExactly("logs");
        }
        assertThat(dataDir.resolve("logs/solr.log")).exists();

        assertThat(devstack.isClosed()).isTrue();
        assertThatThrownBy(devstack::redis).isInstanceOf(IllegalStateException.class);
        devstack.close(); // idempotent
    }
}
