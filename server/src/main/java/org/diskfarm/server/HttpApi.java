package org.diskfarm.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.diskfarm.block.StorageException;
import org.diskfarm.farm.FarmException;
import tools.jackson.databind.node.ObjectNode;

/**
 * The server's HTTP API (docs/api.md; OpenAPI at {@code /api/v1/openapi.json}): health, metrics, and the farm's
 * servers, stores, vDisks, devices, collections and audit log ({@link FarmRoutes}, {@link DeviceRoutes}). Every
 * farm endpoint goes through {@link #api}, which checks access ({@link ApiAccess}) and turns failures into problem
 * details with the status their kind says.
 *
 * <p>Runs on Helidon SE (a virtual thread per request); handlers are plain blocking code.
 */
final class HttpApi implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HttpApi.class.getName());
    static final String OPENAPI = "/org/diskfarm/server/openapi.json";

    private final FarmServer server;
    private final ApiAccess access;
    private final WebServer web;

    HttpApi(FarmServer server, ApiAccess access, String host, int port) {
        this.server = server;
        this.access = access;
        this.web = WebServer.builder()
                .host(host)
                .port(port)
                .routing(this::routes)
                .build()
                .start();
        LOG.log(System.Logger.Level.INFO, "HTTP API listening on {0}:{1}", host, Integer.toString(web.port()));
    }

    int port() {
        return web.port();
    }

    /** A farm endpoint's work; it may throw, {@link #api} answers. */
    @FunctionalInterface
    interface Endpoint {
        void handle(ServerRequest request, ServerResponse response);
    }

    private void routes(HttpRouting.Builder routing) {
        routing.get("/api/v1/health", this::health)
                .get("/metrics", this::metrics)
                .get("/api/v1/openapi.json", this::openapi);
        new FarmRoutes(server, this).register(routing);
        new DeviceRoutes(server, this).register(routing);
        new BootRoutes(server).register(routing);
        routing.any(this::notFound);
    }

    /** An endpoint behind the access rules and the error mapping. */
    Handler api(Endpoint endpoint) {
        return (request, response) -> {
            boolean change = request.prologue().method() != Method.GET;
            try {
                Optional<ApiAccess.Denial> denied = access.check(request, change);
                if (denied.isPresent()) {
                    ApiJson.problem(response, denied.get().status(), denied.get().detail());
                    return;
                }
                endpoint.handle(request, response);
            } catch (ApiJson.BadRequest e) {
                ApiJson.problem(response, Status.BAD_REQUEST_400, e.getMessage());
            } catch (FarmException e) {
                ApiJson.problem(response, status(e.kind()), e.getMessage());
            } catch (StorageException e) {
                ApiJson.problem(response, switch (e.kind()) {
                    case NOT_FOUND -> Status.NOT_FOUND_404;
                    case BUSY -> Status.CONFLICT_409;
                    case INVALID_ARGUMENT -> Status.BAD_REQUEST_400;
                    default -> Status.INTERNAL_SERVER_ERROR_500;
                }, e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, request.prologue().method().text() + " " + request.path().path()
                        + ": " + e, e);
                ApiJson.problem(response, Status.INTERNAL_SERVER_ERROR_500, "internal error: " + e
                        + " (see the server's log)");
            }
        };
    }

    static Status status(FarmException.Kind kind) {
        return switch (kind) {
            case INVALID -> Status.BAD_REQUEST_400;
            case NOT_FOUND -> Status.NOT_FOUND_404;
            case CONFLICT -> Status.CONFLICT_409;
            case UNAVAILABLE -> Status.SERVICE_UNAVAILABLE_503;
        };
    }

    private void health(ServerRequest request, ServerResponse response) {
        ObjectNode body = ApiJson.JSON.createObjectNode();
        body.put("status", "up");
        body.put("server", server.name());
        body.put("database", server.databaseUp() ? "up" : "down");
        body.put("nbdConnections", server.nbdConnections());
        body.put("iscsiConnections", server.iscsiConnections());
        ApiJson.send(response, Status.OK_200, body);
    }

    private void metrics(ServerRequest request, ServerResponse response) {
        response.header(HeaderNames.CONTENT_TYPE, ServerMetrics.CONTENT_TYPE);
        response.send(server.metrics().scrape());
    }

    private void openapi(ServerRequest request, ServerResponse response) {
        try (InputStream in = HttpApi.class.getResourceAsStream(OPENAPI)) {
            if (in == null) {
                throw new IllegalStateException(OPENAPI + " is missing from the jar");
            }
            response.header(HeaderNames.CONTENT_TYPE, "application/json");
            response.send(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void notFound(ServerRequest request, ServerResponse response) {
        ApiJson.problem(response, Status.NOT_FOUND_404, "no such endpoint: " + request.prologue().method().text()
                + " " + request.path().path());
    }

    @Override
    public void close() {
        web.stop();
    }
}
