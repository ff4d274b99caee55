package io.pinhole.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** memcached's text protocol over a plain socket: no client library needed to prove the server is real. */
@ExtendWith(DevstackExtension.class)
class MemcachedTest {

    private static MemcachedServer memcached;

    @BeforeAll
    static void start(Devstack devstack) {
        memcached = devstack.memcached();
    }

    @Test
    void set_then_get_returnsTheValue() throws IOException {
        assertThat(memcached.servers()).isEqualTo("127.0.0.1:" + memcached.port());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(memcached.host(), memcached.port()), 2000);
            socket.setSoTimeout(2000);
            final OutputStream out = socket.getOutputStream();
            final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));

            out.write("set user:42 7 60 5\r\nalice\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(in.readLine()).isEqualTo("STORED");

            out.write("get user:42 missing\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(in.readLine()).isEqualTo("VALUE user:42 7 5");
            assertThat(in.readLine()).isEqualTo("alice");
            assertThat(in.readLine()).isEqualTo("END");
        }
    }
}
