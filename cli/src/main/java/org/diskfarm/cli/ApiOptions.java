package org.diskfarm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The options of every farm command (the clients of the REST API): which server, the API token, and {@code --json}.
 * The token is never an option's value, so that it stays out of shell history and process lists: it comes from
 * {@code DISKFARM_TOKEN} or from the file {@code --token-file} names (the file wins).
 */
final class ApiOptions {
    static final String DEFAULT_SERVER = "http://127.0.0.1:8080";
    static final String SERVER_VARIABLE = "DISKFARM_SERVER";
    static final String TOKEN_VARIABLE = "DISKFARM_TOKEN";

    /** Reads the environment; tests replace it, since a running JVM's environment cannot be changed. */
    static Function<String, String> env = System::getenv;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Mixin
    HelpOption help;

    @Option(names = "--server", paramLabel = "URL",
            description = "The farm server's HTTP API, http://HOST:PORT (default: $" + SERVER_VARIABLE + ", else "
                    + DEFAULT_SERVER + "). Any server of the farm gives the same answers.")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Read the API token from FILE (default: $" + TOKEN_VARIABLE + "). Changes need it.")
    Path tokenFile;

    @Option(names = "--json", description = "Print the API's JSON (an array for lists) instead of text, for scripts.")
    boolean json;

    /** A client of the server these options name, with the token if one was given. */
    ApiClient client() {
        return new ApiClient(serverUri(), token());
    }

    Output output() {
        return new Output(command.commandLine().getOut(), json);
    }

    /** True if any of these options was given: a command that may work offline then refuses them. */
    boolean anyGiven() {
        return server != null || tokenFile != null || json;
    }

    private URI serverUri() {
        String variable = server == null ? blankToNull(env.apply(SERVER_VARIABLE)) : null;
        String url = server != null ? server : variable != null ? variable : DEFAULT_SERVER;
        URI uri = parse(url.strip().replaceAll("/+$", ""));
        if (uri == null) {
            String message = "'" + url + "' is not a server URL: use http://HOST:PORT, e.g. " + DEFAULT_SERVER;
            if (server != null) {
                throw new CommandLine.ParameterException(command.commandLine(), "--server: " + message);
            }
            throw new CommandFailure(SERVER_VARIABLE + ": " + message);
        }
        return uri;
    }

    private static URI parse(String url) {
        try {
            URI uri = new URI(url);
            boolean web = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            return web && uri.getHost() != null && uri.getRawQuery() == null && uri.getRawFragment() == null
                    && uri.getRawUserInfo() == null ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private ApiClient.Token token() {
        if (tokenFile != null) {
            String text;
            try {
                text = Files.readString(tokenFile, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new CommandFailure(tokenFile + ": no such file (--token-file)");
            } catch (IOException e) {
                throw new CommandFailure(tokenFile + ": cannot read the API token: " + e.getMessage(), e);
            }
            return checked(text.strip(), tokenFile + " (--token-file)");
        }
        String variable = blankToNull(env.apply(TOKEN_VARIABLE));
        return variable == null ? null : checked(variable.strip(), TOKEN_VARIABLE);
    }

    /** The token as an HTTP header carries it: one word of visible ASCII. The message never repeats it. */
    private static ApiClient.Token checked(String token, String source) {
        if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new CommandFailure(source + ": the API token must be one word of visible ASCII characters");
        }
        return new ApiClient.Token(token, source);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
