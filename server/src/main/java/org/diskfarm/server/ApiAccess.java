package org.diskfarm.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.diskfarm.farm.Farm;

/**
 * Who may do what through the API: changes need an API token (the farm's, or the one set in the config file); reads
 * are open, open from loopback only (the default), or need the token too ({@link FarmSettings.ApiReads}). Tokens are
 * compared in constant time.
 */
final class ApiAccess {
    /** Why a request is refused: its status and one line. */
    record Denial(Status status, String detail) {
    }

    private final Farm farm;
    private final FarmSettings settings;

    ApiAccess(Farm farm, FarmSettings settings) {
        this.farm = farm;
        this.settings = settings;
    }

    /** Empty if {@code request} may go on; a change if {@code change}. */
    Optional<Denial> check(ServerRequest request, boolean change) {
        Optional<String> token = bearer(request);
        if (!change) {
            if (settings.reads() == FarmSettings.ApiReads.OPEN
                    || (settings.reads() == FarmSettings.ApiReads.LOOPBACK && fromLoopback(request))) {
                return Optional.empty();
            }
            if (token.isEmpty()) {
                return Optional.of(new Denial(Status.FORBIDDEN_403, "reads from " + peer(request) + " need the API "
                        + "token (api-reads = " + settings.reads().name().toLowerCase(java.util.Locale.ROOT) + ")"));
            }
        }
        if (token.isEmpty()) {
            return Optional.of(new Denial(Status.UNAUTHORIZED_401, "this change needs the API token: send "
                    + "'Authorization: Bearer TOKEN'"));
        }
        if (!valid(token.get())) {
            return Optional.of(new Denial(Status.UNAUTHORIZED_401, "the API token is not valid for this farm"));
        }
        return Optional.empty();
    }

    /** Who the audit log says made a change: {@code admin@ADDRESS}. */
    static String actor(ServerRequest request) {
        return "admin@" + peer(request);
    }

    private boolean valid(String token) {
        if (settings.apiToken() != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                settings.apiToken().getBytes(StandardCharsets.UTF_8))) {
            return true;
        }
        return farm.tokens().valid(token);
    }

    private static Optional<String> bearer(ServerRequest request) {
        Optional<String> header = request.headers().first(HeaderNames.AUTHORIZATION);
        if (header.isEmpty() || !header.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = header.get().substring(7).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    static boolean fromLoopback(ServerRequest request) {
        return request.remotePeer().address() instanceof InetSocketAddress inet
                && inet.getAddress().isLoopbackAddress();
    }

    static String peer(ServerRequest request) {
        return request.remotePeer().address() instanceof InetSocketAddress inet
                ? inet.getAddress().getHostAddress() : String.valueOf(request.remotePeer().address());
    }
}
