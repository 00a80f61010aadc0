package org.diskfarm.cli;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The farm's REST API (docs/api.md) as the farm commands use it: one request per call, JSON in and out, lists
 * fetched page by page until the last, and every error turned into a {@link CommandFailure} whose message is the
 * problem's one-line {@code detail} and whose exit status says its class ({@link ExitStatus}).
 *
 * <p>Paths are given below {@code /api/v1}, with names already encoded by {@link #segment(String)}. The token, when
 * known, goes with every request (reads may need it too, see {@code api-reads}), and only ever to the server the user
 * named. One command, one thread: not for concurrent use.
 */
final class ApiClient implements AutoCloseable {
    static final String PREFIX = "/api/v1";
    /** The most items the API gives in one page. */
    static final int PAGE_LIMIT = 1000;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]*)>\\s*;[^,]*?\\brel\\s*=\\s*\"?next\"?");

    /** The API token and where it came from, for the message when the server refuses it. */
    record Token(String value, String source) {
        @Override
        public String toString() {
            return "Token[" + source + "]";
        }
    }

    private final URI server;
    private final Token token;
    private final HttpClient http;

    /**
     * @param server the server's base URL, {@code http[s]://HOST[:PORT][/PREFIX]}, without a trailing slash
     * @param token  the API token, or null if none was given
     */
    ApiClient(URI server, Token token) {
        this.server = server;
        this.token = token;
        // HTTP/1.1: the API needs nothing newer, and a plain-HTTP request offered as HTTP/2 carries upgrade headers
        // that some proxies refuse.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    /** {@code value} as one path segment: everything but the characters a segment may hold is percent-encoded. */
    static String segment(String value) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (alphanumeric || "-._~:@".indexOf(c) >= 0) {
                encoded.append(c);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return encoded.toString();
    }

    /** {@code ?name=value&...} from pairs whose value is not null; empty if none is. */
    static String query(String... namesAndValues) {
        StringBuilder query = new StringBuilder();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                query.append(query.isEmpty() ? '?' : '&').append(namesAndValues[i]).append('=')
                        .append(java.net.URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8)
                                .replace("+", "%20"));
            }
        }
        return query.toString();
    }

    /** A new JSON object, for a request's body. */
    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    JsonNode get(String path) {
        return send("GET", uri(path), null).json();
    }

    JsonNode post(String path, JsonNode body) {
        return send("POST", uri(path), body).json();
    }

    JsonNode put(String path, JsonNode body) {
        return send("PUT", uri(path), body).json();
    }

    JsonNode patch(String path, JsonNode body) {
        return send("PATCH", uri(path), body).json();
    }

    void delete(String path) {
        send("DELETE", uri(path), null);
    }

    /**
     * Every item of the list at {@code path}, or the first {@code max} if {@code max > 0}: page after page, following
     * the {@code Link: <URL>; rel="next"} header, or, from a server that sends none, {@code X-Total-Count}.
     */
    ArrayNode list(String path, int max) {
        ArrayNode items = JSON.createArrayNode();
        int pageSize = max > 0 ? Math.min(max, PAGE_LIMIT) : PAGE_LIMIT;
        String first = path + (path.contains("?") ? "&" : "?") + "limit=" + pageSize;
        Set<URI> fetched = new HashSet<>();
        URI next = uri(first);
        while (next != null) {
            if (!fetched.add(next)) {
                throw new CommandFailure("the server at " + server + " pages in a loop: " + next + " came twice");
            }
            Answer answer = send("GET", next, null);
            JsonNode page = answer.json();
            if (!page.isArray()) {
                throw new CommandFailure("the server at " + server + " answered GET " + next + " with no JSON list");
            }
            for (JsonNode item : page) {
                items.add(item);
                if (max > 0 && items.size() == max) {
                    return items;
                }
            }
            next = page.isEmpty() ? null : nextPage(answer, next, first, items.size());
        }
        return items;
    }

    private URI nextPage(Answer answer, URI current, String first, int fetched) {
        for (String link : answer.response().headers().allValues("Link")) {
            Matcher next = NEXT_LINK.matcher(link);
            if (next.find()) {
                return onOurServer(current.resolve(next.group(1).strip()));
            }
        }
        String total = answer.response().headers().firstValue("X-Total-Count").orElse("").strip();
        if (total.matches("\\d{1,18}") && Long.parseLong(total) > fetched) {
            return uri(first + "&offset=" + fetched);
        }
        return null;
    }

    /**
     * The link's API path and query on the server the user named: the token goes with every request, so it must not
     * follow a link to another host; and behind a proxy a server may name itself by an address (or without the path
     * prefix) the user cannot reach.
     */
    private URI onOurServer(URI link) {
        String path = link.getRawPath() == null ? "" : link.getRawPath();
        int api = path.indexOf(PREFIX + "/");
        return URI.create(server + (api < 0 ? path : path.substring(api))
                + (link.getRawQuery() == null ? "" : "?" + link.getRawQuery()));
    }

    private URI uri(String path) {
        return URI.create(server + PREFIX + path);
    }

    private Answer send(String method, URI uri, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token.value());
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new CommandFailure(ExitStatus.UNREACHABLE, "cannot reach the server at " + server
                    + " (is `diskfarm serve` running there?)");
        } catch (IOException e) {
            throw new CommandFailure(ExitStatus.UNREACHABLE, "no answer from the server at " + server + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure("interrupted while waiting for the server at " + server);
        }
        Answer answer = new Answer(method, uri, response);
        if (response.statusCode() / 100 != 2) {
            throw failure(answer);
        }
        return answer;
    }

    private CommandFailure failure(Answer answer) {
        int status = answer.response().statusCode();
        String detail = answer.detail();
        return switch (status) {
            case 401, 403 -> new CommandFailure(ExitStatus.NOT_AUTHORIZED, detail + "; " + (token == null
                    ? "give the API token in DISKFARM_TOKEN or in a file named by --token-file FILE"
                    : "the API token from " + token.source() + " was refused"));
            case 404 -> new CommandFailure(ExitStatus.NOT_FOUND, detail);
            case 409 -> new CommandFailure(ExitStatus.CONFLICT, detail);
            case 503 -> new CommandFailure(ExitStatus.UNREACHABLE, detail + " (server " + server + ")");
            default -> new CommandFailure(ExitStatus.FAILED, detail);
        };
    }

    @Override
    public void close() {
        http.close();
    }

    /** One answer: its body parsed on demand. */
    private record Answer(String method, URI uri, HttpResponse<String> response) {
        /** The body as JSON; an empty body (204) is JSON null. */
        JsonNode json() {
            String body = response.body();
            if (body == null || body.isBlank()) {
                return JsonNodeFactory.instance.nullNode();
            }
            try {
                return JSON.readTree(body);
            } catch (JacksonException e) {
                throw new CommandFailure("the server at " + uri.getScheme() + "://" + uri.getRawAuthority()
                        + " answered " + method + " " + uri.getRawPath() + " with something that is not JSON "
                        + "(is it a diskfarm server?)");
            }
        }

        /** The problem's one-line detail, else its title, else what happened. */
        String detail() {
            JsonNode problem;
            try {
                problem = JSON.readTree(response.body() == null ? "" : response.body());
            } catch (JacksonException e) {
                problem = null;
            }
            for (String field : new String[] {"detail", "title"}) {
                if (problem != null && problem.path(field).isString() && !problem.path(field).asString().isBlank()) {
                    return problem.path(field).asString().lines().findFirst().orElse("").strip();
                }
            }
            return "HTTP " + response.statusCode() + " from " + method + " " + uri;
        }
    }
}
