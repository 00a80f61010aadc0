package org.diskfarm.testkit.vm;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves one iPXE script at {@code http://127.0.0.1:PORT/boot.ipxe} (the guest asks for it at 10.0.2.2:PORT, which
 * QEMU's user networking turns into 127.0.0.1:PORT on the host). iPXE's BIOS ROM gets that URL as the DHCP boot file
 * name from QEMU ({@code -netdev user,bootfile=...}) and runs it. Every other path gets 404. Each request is recorded,
 * for messages when a boot fails before the script was fetched.
 *
 * <p>Threads: requests are served on virtual threads; {@link #requests()} may be read from any thread.
 */
public final class IpxeScriptServer implements AutoCloseable {
    public static final String PATH = "/boot.ipxe";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    /** Starts serving {@code script} on 127.0.0.1 at a free port. */
    public IpxeScriptServer(String script) {
        byte[] body = script.getBytes(StandardCharsets.UTF_8);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1 for the iPXE script: " + e.getMessage(), e);
        }
        server.createContext("/", exchange -> answer(exchange, body));
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The URL the guest fetches the script from. */
    public String guestUrl() {
        return "http://" + IscsiBoot.HOST_FROM_GUEST + ":" + port() + PATH;
    }

    /** "GET /boot.ipxe 200", one entry per request, in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    private void answer(HttpExchange exchange, byte[] body) throws IOException {
        try (exchange) {
            boolean found = exchange.getRequestURI().getPath().equals(PATH);
            int status = found ? 200 : 404;
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + status);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            byte[] answer = found ? body : "not found\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
