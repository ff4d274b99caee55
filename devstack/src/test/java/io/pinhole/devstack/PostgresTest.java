package io.pinhole.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevstackExtension.class)
class PostgresTest {

    private static PostgresCluster cluster;

    @BeforeAll
    static void start(Devstack devstack) {
        cluster = devstack.postgres();
    }

    @Test
    void cluster_hasTwoServers_onDistinctPorts_thatAnswerSql() throws SQLException {
        final List<PostgresServer> servers = cluster.servers();
        assertThat(servers).hasSize(2);
        assertThat(servers).extracting(PostgresServer::port).doesNotHaveDuplicates();
        assertThat(cluster.addresses()).containsExactly(servers.get(0).address(), servers.get(1).address());
        for (PostgresServer server : servers) {
            try (Connection connection = server.connect("postgres");
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery(
                         "SELECT current_setting('server_version_num')::int, current_setting('port')::int, "
                         + "current_setting('max_connections')::int")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getInt(1)).isBetween(170000, 179999);
                assertThat(rows.getInt(2)).isEqualTo(server.port());
                assertThat(rows.getInt(3)).isGreaterThanOrEqualTo(200);
            }
        }
    }

    @Test
    void createDatabase_twice_isIdempotent_onEveryServer() throws SQLException {
        cluster.createDatabase("devstack_twice");
        cluster.createDatabase("devstack_twice");

        for (PostgresServer server : cluster.servers()) {
            try (Connection connection = server.connect("devstack_twice");
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT current_database()")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("devstack_twice");
            }
        }
    }

    @Test
    void createDatabase_withAnUnsafeName_isRejected() {
        assertThatThrownBy(() -> cluster.server(0).createDatabase("x\"; DROP DATABASE postgres; --"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stopThenStart_keepsPortAndData() throws SQLException {
        final PostgresServer server = cluster.server(1);
        final int port = server.port();
        server.createDatabase("devstack_restart");
        try (Connection connection = server.connect("devstack_restart");
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE kept (value text)");
            statement.execute("INSERT INTO kept VALUES ('survives a restart')");
        }

        server.stop();
        assertThat(server.isRunning()).isFalse();
        assertThatThrownBy(() -> server.connect("devstack_restart").close()).isInstanceOf(SQLException.class);

        server.start();
        assertThat(server.port()).isEqualTo(port);
        try (Connection connection = server.connect("devstack_restart");
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT value FROM kept")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("survives a restart");
        }
    }

    @Test
    void jdbcUrl_namesHostPortAndDatabase() {
        final PostgresServer server = cluster.server(0);
        assertThat(server.jdbcUrl("pinhole_media"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:" + server.port() + "/pinhole_media");
    }
}
