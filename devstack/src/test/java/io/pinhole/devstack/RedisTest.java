package io.pinhole.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevstackExtension.class)
class RedisTest {

    private static RedisServer redis;

    @BeforeAll
    static void start(Devstack devstack) {
        redis = devstack.redis();
    }

    @Test
    void ping_set_get() throws IOException {
        assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
        assertThat(command("PING")).containsExactly("+PONG");
        assertThat(command("SET", "greeting", "hello")).containsExactly("+OK");
        assertThat(command("GET", "greeting")).containsExactly("$5", "hello");
    }

    @Test
    void stopThenStart_servesOnTheSamePort() throws IOException {
        final int port = redis.port();

        redis.stop();
        assertThat(redis.isRunning()).isFalse();
        assertThatThrownBy(() -> command("PING")).isInstanceOf(IOException.class);

        redis.start();
        assertThat(redis.port()).isEqualTo(port);
        assertThat(command("PING")).containsExactly("+PONG");
    }

    /** One RESP command; replies are read as one line, or two for a bulk string. */
    private static List<String> command(String... arguments) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(redis.host(), redis.port()), 2000);
            socket.setSoTimeout(2000);
            final StringBuilder request = new StringBuilder("*").append(arguments.length).append("\r\n");
            for (String argument : arguments) {
                request.append('$').append(argument.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                        .append(argument).append("\r\n");
            }
            final OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            final List<String> reply = new ArrayList<>();
            final String first = in.readLine();
            if (first == null) {
                throw new IOException("connection closed");
            }
            reply.add(first);
            if (first.startsWith("$") && !first.equals("$-1")) {
                reply.add(in.readLine());
            }
            return reply;
        }
    }
}
