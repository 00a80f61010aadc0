package org.diskfarm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.diskfarm.server.ServerFixture.run;
import static org.diskfarm.server.ServerFixture.tryRun;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diskfarm.farm.MacAddress;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.testkit.ClientProcess;
import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a server exports, seen by libnbd's nbdinfo and nbdcopy and by qemu-img. */
class NbdExportsTest {
    private static final VDiskProperties STANDARD = VDiskProperties.DEFAULTS.withMode(VDiskMode.STANDARD);

    private ServerFixture farm;
    private Path gold;
    private MacAddress pc01;

    @BeforeEach
    void start() {
        farm = new ServerFixture();
        gold = farm.vdisk("gold", STANDARD, 1);
        farm.vdisk("scratch", VDiskProperties.DEFAULTS, 2);
        pc01 = farm.device(1, "gold");
        farm.start();
    }

    @AfterEach
    void stop() {
        farm.close();
    }

    @Test
    void nbdinfoListsEveryVDiskAndEveryDevice() {
        String list = run("nbdinfo", "--list", "--json", farm.uri(""));
        assertThat(list).contains("\"export-name\": \"gold\"", "\"export-name\": \"scratch\"",
                "\"export-name\": \"" + pc01 + "\"");
    }

    @Test
    void nbdinfoMapShowsTheVDisksDataAndHoles() {
        String map = run("nbdinfo", "--map", farm.uri("gold"));
        List<long[]> data = new ArrayList<>();
        for (String line : map.strip().split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields[3].equals("data")) {
                long offset = Long.parseLong(fields[0]);
                long length = Long.parseLong(fields[1]);
                if (!data.isEmpty() && data.getLast()[0] + data.getLast()[1] == offset) {
                    data.getLast()[1] += length;
                } else {
                    data.add(new long[] {offset, length});
                }
            } else {
                assertThat(fields[3]).as(line).isEqualTo("hole,zero");
            }
        }
        assertThat(data).containsExactly(ServerFixture.DATA_RUNS);
    }

    @Test
    void nbdcopyOfAVDiskEqualsItsContent() {
        Path expected = farm.data.resolve("expected.raw");
        run("qemu-img", "convert", "-f", "vpc", "-O", "raw", gold.toString(), expected.toString());
        Path copy = farm.data.resolve("copy.raw");
        run("nbdcopy", farm.uri("gold"), copy.toString());
        assertThat(TestFiles.sha256(copy)).isEqualTo(TestFiles.sha256(expected));
        // A device's export reads the same before the device writes anything.
        Path viaDevice = farm.data.resolve("device.raw");
        run("nbdcopy", farm.uri(pc01), viaDevice.toString());
        assertThat(TestFiles.sha256(viaDevice)).isEqualTo(TestFiles.sha256(expected));
    }

    @Test
    void qemuImgComparesTheExportEqualToTheVhdFile() {
        run("qemu-img", "compare", "-f", "vpc", gold.toString(), "-F", "raw", farm.uri("gold"));
        ClientProcess.Result other = tryRun("qemu-img", "compare", "-f", "vpc", gold.toString(), "-F", "raw",
                farm.uri("scratch"));
        assertThat(other.exitCode()).as(other.describe()).isEqualTo(1);
    }

    @Test
    void aModeChangeAppliesToTheNextConnection() {
        assertThat(run("nbdinfo", farm.uri("scratch"))).contains("is_read_only: false");
        run("qemu-io", "-f", "raw", "-c", "write -P 0x42 0 4k", farm.uri("scratch"));
        STANDARD.write(farm.store().resolve("scratch.pvp"));
        assertThat(run("nbdinfo", farm.uri("scratch"))).contains("is_read_only: true");
        ClientProcess.Result write = tryRun("qemu-io", "-f", "raw", "-c", "write -P 0x43 0 4k", farm.uri("scratch"));
        assertThat(write.exitCode()).isNotZero();
        assertThat(write.stderr()).contains("Permission denied");
        run("qemu-io", "-r", "-f", "raw", "-c", "read -P 0x42 0 4k", farm.uri("scratch"));
    }

    @Test
    void anUnknownExportIsRefusedAndTheServerGoesOn() {
        ClientProcess.Result missing = tryRun("nbdinfo", farm.uri("nosuch"));
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("nosuch");
        ClientProcess.Result unknownMac = tryRun("nbdinfo", farm.uri("52:54:00:99:99:99"));
        assertThat(unknownMac.exitCode()).isNotZero();
        assertThat(run("nbdinfo", "--size", farm.uri("gold")).strip()).isEqualTo(Long.toString(
                org.diskfarm.vhd.Vhd.info(gold).virtualSize()));
    }

    @Test
    void aDeviceWhoseVDiskIsMissingGetsAMessageNamingIt() throws Exception {
        // The vDisk is in the farm (another server may hold it), but not in this server's store.
        farm.vdisk("absent", VDiskProperties.DEFAULTS, 7);
        farm.server.scanNow();
        farm.device(7, "absent");
        String device = "";
        for (int i = 0; i < 300 && !device.contains("\"vdisk\":\"absent\""); i++) {
            Thread.sleep(50); // devices.csv is imported at the next heartbeat or connection
            device = farm.get("/api/v1/devices/52:54:00:00:00:07").body();
        }
        assertThat(device).contains("\"vdisk\":\"absent\"");
        java.nio.file.Files.delete(farm.store().resolve("absent.vhd"));
        ClientProcess.Result result = tryRun("qemu-io", "-f", "raw", "-c", "read 0 4k",
                farm.uri(new MacAddress(0x5254_0000_0007L)));
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("device pc07", "vDisk absent", "not in this server's store");
    }

    @Test
    void aBadDevicesFileStopsTheStartWithOneLine() {
        farm.server.close();
        TestFiles.write(farm.data.resolve("devices.csv"), "mac,name,vdisk\nnot-a-mac,pc01,gold\n".getBytes());
        assertThatThrownBy(farm::start).hasMessageContaining("devices.csv:2").hasMessageContaining("not-a-mac");
        farm.server = null;
    }
}
