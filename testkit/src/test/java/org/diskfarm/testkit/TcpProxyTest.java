package org.diskfarm.testkit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class TcpProxyTest {
    /** How long a read may wait: far longer than any cut needs, so a timeout means the connection was not cut. */
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private EchoServer echo;
    private TcpProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new EchoServer();
        proxy = TcpProxy.start(echo.address());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void bytesPassBothWaysAndAHalfClosePassesThrough() throws Exception {
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "hello")).isEqualTo("hello");
            assertThat(proxy.connections()).isEqualTo(1);

            byte[] data = new byte[1024 * 1024];
            new Random(42).nextBytes(data);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    socket.getOutputStream().write(data);
                    socket.shutdownOutput();  // the echo server ends its answer only when it sees this
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, command -> Thread.ofVirtual().start(command));
            byte[] echoed = socket.getInputStream().readAllBytes();  // to the end of stream: the echo's half-close
            writer.join();
            assertThat(echoed).isEqualTo(data);
        }
        awaitZero(proxy::connections);
    }

    @Test
    void cutBreaksOpenConnectionsAndRefusesNewOnesUntilRestore() throws Exception {
        try (Socket first = connect(); Socket second = connect()) {
            assertThat(roundTrip(first, "one")).isEqualTo("one");
            assertThat(roundTrip(second, "two")).isEqualTo("two");
            assertThat(proxy.connections()).isEqualTo(2);

            proxy.cut();

            assertThat(proxy.connections()).isZero();
            assertThat(readOutcome(first)).isIn("end of stream", "error");
            assertThat(writeThenReadOutcome(second)).isIn("end of stream", "error");
        }

        for (int i = 0; i < 3; i++) {
            assertThat(newConnectionOutcome()).isIn("refused", "end of stream", "error");
        }
        assertThat(proxy.connections()).isZero();

        proxy.restore();

        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "back")).isEqualTo("back");
        }
    }

    @Test
    void aTargetThatIsDownEndsTheClientsConnection() throws Exception {
        echo.close();
        assertThat(newConnectionOutcome()).isIn("end of stream", "error");
        awaitZero(proxy::connections);
    }

    @Test
    void closeResetsConnectionsAndFreesThePort() throws Exception {
        int port = proxy.port();
        Socket socket = connect();
        assertThat(roundTrip(socket, "x")).isEqualTo("x");

        proxy.close();

        assertThat(readOutcome(socket)).isIn("end of stream", "error");
        socket.close();
        assertThat(proxy.connections()).isZero();
        try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
    }

    /** How a read ends: "end of stream", "error" (a reset), "timeout" or "data". */
    private static String readOutcome(Socket socket) {
        try {
            return socket.getInputStream().read() < 0 ? "end of stream" : "data";
        } catch (SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            return "error";
        }
    }

    /** Like {@link #readOutcome}, but writes first (a write to a cut connection may fail at once, or may not). */
    private static String writeThenReadOutcome(Socket socket) {
        try {
            socket.getOutputStream().write(1);
        } catch (IOException e) {
            return "error";
        }
        return readOutcome(socket);
    }

    /** Connects anew and reads: "refused" if the connect fails, else how the read ends. */
    private String newConnectionOutcome() throws IOException {
        Socket socket;
        try {
            socket = connect();
        } catch (ConnectException e) {
            return "refused";
        }
        try (socket) {
            return writeThenReadOutcome(socket);
        }
    }

    /** Waits, within bounds, for {@code count} to reach zero (the proxy notices a closed client on its own thread). */
    private static void awaitZero(IntSupplier count) throws InterruptedException {
        for (int i = 0; i < 1000 && count.getAsInt() != 0; i++) {
            Thread.sleep(10);
        }
        assertThat(count.getAsInt()).isZero();
    }

    /** Echoes every connection's bytes back; at the client's half-close, finishes and half-closes in turn. */
    private static final class EchoServer implements AutoCloseable {
        private final ServerSocket listener;
        private final Thread acceptor;

        EchoServer() throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = Thread.ofVirtual().name("echo-accept").start(this::acceptLoop);
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        }

        private void acceptLoop() {
            while (true) {
                Socket socket;
                try {
                    socket = listener.accept();
                } catch (IOException e) {
                    return;  // closed
                }
                Thread.ofVirtual().name("echo").start(() -> echo(socket));
            }
        }

        private static void echo(Socket socket) {
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                in.transferTo(out);
                socket.shutdownOutput();
            } catch (IOException e) {
                // the proxy cut or reset the connection
            }
        }

        /** Stops listening. Returns when the accepting thread has left, which is when the port is closed for sure. */
        @Override
        public void close() throws IOException {
            listener.close();
            try {
                acceptor.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
