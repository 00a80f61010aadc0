package org.diskfarm.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * What the tests of the farm commands share: a {@link FakeApi} per test, an API token in a file, and runners that
 * point a command at both. The environment is empty unless a test sets {@link ApiOptions#env}.
 */
abstract class FarmCliTest {
    static final String TOKEN = "s3cr3t-token";

    @TempDir
    Path dir;

    FakeApi api;
    Path tokenFile;

    @BeforeEach
    void startApi() throws IOException {
        api = new FakeApi();
        tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        ApiOptions.env = name -> null;
    }

    @AfterEach
    void stopApi() {
        api.close();
        ApiOptions.env = System::getenv;
    }

    /** Runs a farm command against the fake API with the token. */
    Cli.Result run(String... args) {
        return Cli.run(with(args, "--server", api.url(), "--token-file", tokenFile.toString()));
    }

    /** Runs a farm command that must succeed. */
    Cli.Result ok(String... args) {
        Cli.Result result = run(args);
        if (result.exitCode() != 0) {
            throw new AssertionError("diskfarm " + String.join(" ", args) + " failed:\n" + result);
        }
        return result;
    }

    /** Runs a farm command against the fake API without a token. */
    Cli.Result runWithoutToken(String... args) {
        return Cli.run(with(args, "--server", api.url()));
    }

    static String[] with(String[] args, String... more) {
        return Stream.concat(Arrays.stream(args), Arrays.stream(more)).toArray(String[]::new);
    }

    /** Lines joined as a command prints them. */
    static String lines(String... lines) {
        return String.join(System.lineSeparator(), lines) + System.lineSeparator();
    }
}
