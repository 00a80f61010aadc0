package org.diskfarm.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A farm command that fails prints {@code diskfarm: <detail>} on stderr, nothing on stdout, and exits with its
 * class's status: 1 bad input, 3 not found, 4 conflict, 5 not authorized, 6 server unreachable or database down.
 */
class ApiFailureTest extends FarmCliTest {

    private static void assertFailure(Cli.Result result, int status, String line) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(status);
        assertThat(result.err()).isEqualTo(line + System.lineSeparator());
        assertThat(result.out()).isEmpty();
    }

    @Test
    void badInputExits1WithTheDetail() {
        api.on("POST", "/api/v1/devices", FakeApi.problem(400, "Bad Request", "not a MAC address: 'nonsense'"));
        assertFailure(run("device", "add", "nonsense", "pc01"), ExitStatus.FAILED,
                "diskfarm: not a MAC address: 'nonsense'");
    }

    @Test
    void notFoundExits3() {
        api.on("GET", "/api/v1/devices/52:54:00:00:00:99",
                FakeApi.problem(404, "Not Found", "no device with MAC address 52:54:00:00:00:99"));
        assertFailure(run("device", "show", "52:54:00:00:00:99"), ExitStatus.NOT_FOUND,
                "diskfarm: no device with MAC address 52:54:00:00:00:99");
    }

    @Test
    void conflictExits4() {
        api.on("DELETE", "/api/v1/vdisks/win10",
                FakeApi.problem(409, "Conflict", "vDisk win10 is assigned to 3 device(s)"));
        assertFailure(run("vdisk", "remove", "win10"), ExitStatus.CONFLICT,
                "diskfarm: vDisk win10 is assigned to 3 device(s)");
    }

    @Test
    void missingTokenExits5AndSaysHowToGiveIt() {
        api.on("DELETE", "/api/v1/servers/srv1", FakeApi.problem(401, "Unauthorized", "missing API token")
                .with("WWW-Authenticate", "Bearer"));
        Cli.Result result = runWithoutToken("server", "remove", "srv1");
        assertFailure(result, ExitStatus.NOT_AUTHORIZED, "diskfarm: missing API token; give the API token in "
                + "DISKFARM_TOKEN or in a file named by --token-file FILE");
        assertThat(api.only().authorization()).isNull();
    }

    @Test
    void refusedTokenExits5AndSaysWhereItCameFrom() {
        api.on("DELETE", "/api/v1/servers/srv1", FakeApi.problem(401, "Unauthorized", "wrong API token"));
        assertFailure(run("server", "remove", "srv1"), ExitStatus.NOT_AUTHORIZED,
                "diskfarm: wrong API token; the API token from " + tokenFile + " (--token-file) was refused");
    }

    @Test
    void forbiddenReadExits5() {
        api.on("GET", "/api/v1/servers", FakeApi.problem(403, "Forbidden", "reads need the API token from 10.0.0.9"));
        assertThat(runWithoutToken("server", "list").exitCode()).isEqualTo(ExitStatus.NOT_AUTHORIZED);
    }

    @Test
    void unreachableServerExits6NamingIt() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        Cli.Result result = Cli.run("server", "list", "--server", url);
        assertFailure(result, ExitStatus.UNREACHABLE,
                "diskfarm: cannot reach the server at " + url + " (is `diskfarm serve` running there?)");
    }

    @Test
    void databaseDownExits6NamingTheServer() {
        api.on("POST", "/api/v1/collections",
                FakeApi.problem(503, "Service Unavailable", "the farm database is unreachable"));
        assertFailure(run("collection", "add", "room12"), ExitStatus.UNREACHABLE,
                "diskfarm: the farm database is unreachable (server " + api.url() + ")");
    }

    @Test
    void anAnswerWithoutAProblemStillSaysWhatHappened() {
        api.on("GET", "/api/v1/farm", new FakeApi.Reply(500, java.util.Map.of(), "oops"));
        assertFailure(run("farm", "status"), ExitStatus.FAILED,
                "diskfarm: HTTP 500 from GET " + api.url() + "/api/v1/farm");
    }

    @Test
    void anAnswerThatIsNotJsonIsAFailure() {
        api.on("GET", "/api/v1/farm", new FakeApi.Reply(200, java.util.Map.of(), "<html>hello</html>"));
        assertFailure(run("farm", "status"), ExitStatus.FAILED, "diskfarm: the server at " + api.url()
                + " answered GET /api/v1/farm with something that is not JSON (is it a diskfarm server?)");
    }

    @Test
    void usageErrorsStayExit2AndSendNothing() {
        assertThat(run("vdisk", "assign", "win10").exitCode()).isEqualTo(ExitStatus.USAGE);
        assertThat(run("vdisk", "assign", "win10", "--device", "a", "--collection", "c").exitCode())
                .isEqualTo(ExitStatus.USAGE);
        assertThat(run("device", "set", "52:54:00:00:00:01").exitCode()).isEqualTo(ExitStatus.USAGE);
        assertThat(run("device", "set", "52:54:00:00:00:01", "--vdisk", "a", "--no-vdisk").exitCode())
                .isEqualTo(ExitStatus.USAGE);
        assertThat(run("collection", "set", "room12").exitCode()).isEqualTo(ExitStatus.USAGE);
        assertThat(run("audit", "--limit", "-1").exitCode()).isEqualTo(ExitStatus.USAGE);
        assertThat(run("device", "add", "52:54:00:00:00:01").exitCode()).isEqualTo(ExitStatus.USAGE);
        assertThat(Cli.run("server", "list", "--server", "ftp://x").exitCode()).isEqualTo(ExitStatus.USAGE);
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void theExitStatusesAreInTheHelpFooter() {
        assertThat(Cli.run("--help").out()).contains("3 not found", "4", "conflict", "5 not authorized",
                "6 server unreachable");
    }
}
