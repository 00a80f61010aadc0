package org.diskfarm.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.store.WriteCacheType;
import org.diskfarm.testkit.net.LabHost;
import org.diskfarm.testkit.net.LabProcess;

/**
 * Farm servers for network boot scenarios: {@code diskfarm serve} processes, each in a farm host of a
 * {@link org.diskfarm.testkit.net.NetLab} (its own network namespace on the lab's bridge), on the standard ports of
 * its own address, with vDisks imported from raw images through the command line.
 */
final class LabFarm {
    static final String VDISK = "boot";
    static final Duration READY = Duration.ofMinutes(2);

    private LabFarm() {
    }

    /**
     * A data folder with the raw {@code image} imported as vDisk {@link #VDISK} (Standard mode, RAM write cache) and
     * the devices of {@code macs} assigned to it (devices.csv, imported into the farm at start).
     */
    static Path dataFolder(Path root, String name, Path image, List<String> macs) {
        Path data = root.resolve(name);
        try {
            Files.createDirectories(data.resolve("store"));
            Path vhd = data.resolve("store/" + VDISK + ".vhd");
            FarmCli.run("vdisk", "import", image.toString(), vhd.toString()).ok();
            VDiskProperties.DEFAULTS.withMode(VDiskMode.STANDARD).withWriteCacheType(WriteCacheType.RAM)
                    .withWriteCacheSize(256L << 20).write(data.resolve("store/" + VDISK + ".pvp"));
            StringBuilder devices = new StringBuilder("mac,name,vdisk\n");
            for (int i = 0; i < macs.size(); i++) {
                devices.append(macs.get(i)).append(",vm").append(i + 1).append(',').append(VDISK).append('\n');
            }
            Files.writeString(data.resolve("devices.csv"), devices);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return data;
    }

    /** Starts {@code diskfarm serve} in {@code host} with {@code extra} options; returns once it is ready. */
    static LabProcess serve(LabHost host, Path data, String name, String... extra) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "org.diskfarm.server.Main", "serve", "--data", data.toString(), "--name", name,
                "--bind", "0.0.0.0", "--advertise-address", host.address(), "--api-reads", "open",
                "--nbd-port", "10809", "--iscsi-port", "3260", "--http-port", "8080"));
        command.addAll(List.of(extra));
        LabProcess server = host.start(command, data.resolve("serve.log"));
        server.waitForLog(" ready: ", READY);
        return server;
    }

    /** GET on a server's HTTP port from inside its host (curl); the body. */
    static String get(LabHost host, String path) {
        return host.run("curl", "-sS", "http://127.0.0.1:8080" + path);
    }
}
