package org.diskfarm.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Where the server and the API token come from: options, then the environment, then the default. */
class ApiOptionsTest extends FarmCliTest {

    @Test
    void theServerComesFromTheEnvironmentWhenNotGiven() {
        api.on("GET", "/api/v1/collections", 200, "[]");
        ApiOptions.env = Map.of("DISKFARM_SERVER", api.url() + "/")::get;
        assertThat(Cli.run("collection", "list").exitCode()).isZero();
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    void theTokenComesFromTheEnvironmentWhenNoFileIsGiven() {
        api.on("GET", "/api/v1/collections", 200, "[]");
        ApiOptions.env = Map.of("DISKFARM_TOKEN", "from-env")::get;
        assertThat(runWithoutToken("collection", "list").exitCode()).isZero();
        assertThat(api.only().authorization()).isEqualTo("Bearer from-env");
    }

    @Test
    void theTokenFileWinsOverTheEnvironment() {
        api.on("GET", "/api/v1/collections", 200, "[]");
        ApiOptions.env = Map.of("DISKFARM_TOKEN", "from-env")::get;
        ok("collection", "list");
        assertThat(api.only().authorization()).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void withoutATokenNoneIsSent() {
        api.on("GET", "/api/v1/collections", 200, "[]");
        assertThat(runWithoutToken("collection", "list").exitCode()).isZero();
        assertThat(api.only().authorization()).isNull();
    }

    @Test
    void aTokenIsNeverAnOption() {
        assertThat(Cli.run("collection", "list", "--token", "x").exitCode()).isEqualTo(ExitStatus.USAGE);
    }

    @Test
    void aMissingOrEmptyTokenFileFailsBeforeAnyRequest() throws IOException {
        Cli.Result missing = Cli.run("collection", "list", "--server", api.url(), "--token-file",
                dir.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitStatus.FAILED);
        assertThat(missing.err()).isEqualTo(lines("diskfarm: " + dir.resolve("nope") + ": no such file (--token-file)"));
        Files.writeString(tokenFile, "two words\n");
        Cli.Result bad = run("collection", "list");
        assertThat(bad.err()).contains("must be one word").doesNotContain("two words");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void aBadServerInTheEnvironmentIsNamed() {
        ApiOptions.env = Map.of("DISKFARM_SERVER", "srv1:8080")::get;
        Cli.Result result = Cli.run("farm", "status");
        assertThat(result.exitCode()).isEqualTo(ExitStatus.FAILED);
        assertThat(result.err()).startsWith("diskfarm: DISKFARM_SERVER: 'srv1:8080' is not a server URL");
    }

    @Test
    void everyFarmCommandHasHelpNamingTheTokenOptions() {
        for (String[] command : new String[][] {{"server", "list"}, {"store", "add"}, {"vdisk", "assign"},
                {"device", "add"}, {"device", "boot"}, {"collection", "assign"}, {"farm", "status"}, {"audit"}}) {
            Cli.Result result = Cli.run(with(command, "--help"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.out()).startsWith("Usage: diskfarm " + String.join(" ", command))
                    .contains("--server=URL", "--token-file=FILE", "DISKFARM_TOKEN", "--json");
        }
    }
}
