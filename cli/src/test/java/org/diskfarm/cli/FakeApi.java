package org.diskfarm.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A stand-in for a farm server's REST API (docs/api.md) in CLI tests: an HTTP server on a free loopback port that
 * records every request and answers what the test set up for its method and path (with or without the query), or a
 * 404 problem. The real server lives in another module; its own tests check that it answers as the contract says.
 */
final class FakeApi implements AutoCloseable {
    /** A request as the server saw it; {@code target} is the path with its query, as sent. */
    record Request(String method, String target, String authorization, String contentType, String body) {
    }

    record Reply(int status, Map<String, String> headers, String body) {
        static Reply json(int status, String body) {
            return new Reply(status, Map.of("Content-Type", "application/json"), body);
        }

        Reply with(String header, String value) {
            Map<String, String> headers = new LinkedHashMap<>(this.headers);
            headers.put(header, value);
            return new Reply(status, headers, body);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, Function<Request, Reply>> routes = new LinkedHashMap<>();

    FakeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The server's base URL, as {@code --server} takes it. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers {@code method target} (a path, or a path with its query) with {@code status} and a JSON body. */
    FakeApi on(String method, String target, int status, String body) {
        return on(method, target, request -> Reply.json(status, body));
    }

    FakeApi on(String method, String target, Reply reply) {
        return on(method, target, request -> reply);
    }

    synchronized FakeApi on(String method, String target, Function<Request, Reply> answer) {
        routes.put(method + " " + target, answer);
        return this;
    }

    /** An RFC 9457 problem, as the API sends its errors. */
    static Reply problem(int status, String title, String detail) {
        return new Reply(status, Map.of("Content-Type", "application/problem+json"),
                "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\""
                        + detail + "\"}");
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    synchronized Request only() {
        if (requests.size() != 1) {
            throw new AssertionError("expected one request, got " + requests);
        }
        return requests.getFirst();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
            Request request = new Request(exchange.getRequestMethod(), target,
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            Function<Request, Reply> answer;
            synchronized (this) {
                requests.add(request);
                answer = routes.get(request.method() + " " + target);
                if (answer == null) {
                    answer = routes.get(request.method() + " " + exchange.getRequestURI().getRawPath());
                }
            }
            Reply reply = answer == null ? problem(404, "Not Found", "no route " + request.method() + " " + target)
                    : answer.apply(request);
            reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] body = reply.body() == null ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
