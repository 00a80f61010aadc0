package org.diskfarm.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.diskfarm.block.IoFlags;
import org.diskfarm.farm.DevicesFile;
import org.diskfarm.farm.MacAddress;
import org.diskfarm.farm.TargetDevice;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.testkit.ClientProcess;
import org.diskfarm.testkit.TestFiles;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdDevice;
import org.diskfarm.vhd.VhdSpec;

/**
 * A data folder built for a test, and a {@link FarmServer} over it on loopback with free ports; plus runners for the
 * real clients. Each vDisk it makes holds seeded pattern data in {@link #DATA_RUNS} and holes elsewhere.
 */
final class ServerFixture implements AutoCloseable {
    static final long SIZE = 64L << 20;
    /** Offsets and lengths of the data written into every vDisk; everything else is a hole. */
    static final long[][] DATA_RUNS = {{0, 64 << 10}, {3L << 20, 1 << 20}, {40L << 20, 4096}};
    static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(2);

    final Path data;
    private final List<TargetDevice> devices = new ArrayList<>();
    FarmServer server;

    ServerFixture() {
        data = TestFiles.tempDir("serve");
    }

    Path store() {
        return data.resolve("store");
    }

    /** A dynamic vDisk {@code name} with the pattern data of {@code seed}, and these properties. */
    Path vdisk(String name, VDiskProperties properties, long seed) {
        Path vhd = store().resolve(name + ".vhd");
        try {
            Files.createDirectories(store());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try (VhdDevice disk = Vhd.create(vhd, VhdSpec.dynamic(SIZE))) {
            for (long[] run : DATA_RUNS) {
                disk.write(run[0], ByteBuffer.wrap(TestFiles.pattern(seed, run[0], (int) run[1])), IoFlags.NONE);
            }
            disk.flush();
        }
        properties.write(store().resolve(name + ".pvp"));
        return vhd;
    }

    /** Adds a device to devices.csv. */
    MacAddress device(int number, String vdisk) {
        MacAddress mac = new MacAddress(0x5254_0000_0000L + number);
        devices.add(new TargetDevice(mac, String.format("pc%02d", number), vdisk));
        TestFiles.write(data.resolve("devices.csv"), DevicesFile.render(devices).getBytes());
        return mac;
    }

    FarmServer start() {
        server = FarmServer.start(new ServerSettings(data, "test-server", "127.0.0.1", 0, 0, 0));
        return server;
    }

    void restart() {
        server.close();
        start();
    }

    String uri(Object export) {
        return "nbd://127.0.0.1:" + server.nbdPort() + "/" + export;
    }

    String http(String path) {
        return "http://127.0.0.1:" + server.httpPort() + path;
    }

    /** The farm's API token, as the server saved it at the farm's first start. */
    String token() {
        try {
            return Files.readString(server.tokenFile()).strip();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A POST without a body, with the API token. */
    HttpResponse<String> post(String path) {
        return send(HttpRequest.newBuilder(URI.create(http(path))).header("Authorization", "Bearer " + token())
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** A request with a JSON body (or none), with the API token if {@code token} is not null. */
    HttpResponse<String> call(String method, String path, String json, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(http(path))).method(method,
                json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request);
    }

    /** A request with a JSON body (or none), with the API token. */
    HttpResponse<String> call(String method, String path, String json) {
        return call(method, path, json, token());
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(http(path))).GET());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a client and returns what it did, whatever its exit status. */
    static ClientProcess.Result tryRun(String... command) {
        return ClientProcess.run(List.of(command), CLIENT_TIMEOUT);
    }

    /** Runs a client that must succeed; returns its stdout. */
    static String run(String... command) {
        ClientProcess.Result result = tryRun(command);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result.stdout();
    }

    /** qemu-io on an NBD export, raw format, with the given -c commands; must succeed. */
    String qemuIo(Object export, String... commands) {
        return run(qemuIoCommand(export, commands).toArray(String[]::new));
    }

    /** qemu-io opening the export read-only (qemu refuses to open a read-only export for writing). */
    String qemuIoReadOnly(Object export, String... commands) {
        List<String> command = qemuIoCommand(export, commands);
        command.add(1, "-r");
        return run(command.toArray(String[]::new));
    }

    List<String> qemuIoCommand(Object export, String... commands) {
        List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (String c : commands) {
            command.add("-c");
            command.add(c);
        }
        command.add(uri(export));
        return command;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        TestFiles.deleteTree(data);
    }
}
