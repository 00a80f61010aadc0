package org.diskfarm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.server.ServerFixture.tryRun;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.diskfarm.farm.MacAddress;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.store.WriteCacheType;
import org.diskfarm.testkit.ClientProcess;
import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Standard mode: each device writes to its own cache over the shared vDisk, proven with qemu-io as the devices.
 * Offset 8 MiB is a hole in the vDisk, so it reads as zeros for a device that never wrote there.
 */
class StandardModeTest {
    private static final String AT = " 8M 64k";

    private ServerFixture farm;

    @AfterEach
    void stop() {
        farm.close();
    }

    private Path start(WriteCacheType type, long cacheSize, int devices) {
        farm = new ServerFixture();
        Path vhd = farm.vdisk("lab", VDiskProperties.DEFAULTS.withMode(VDiskMode.STANDARD).withWriteCacheType(type)
                .withWriteCacheSize(cacheSize), 5);
        for (int i = 1; i <= devices; i++) {
            farm.device(i, "lab");
        }
        farm.start();
        return vhd;
    }

    @ParameterizedTest
    @EnumSource(WriteCacheType.class)
    void aDevicesWritesAreItsOwnUntilItBootsAgain(WriteCacheType type) {
        Path vhd = start(type, 16L << 20, 2);
        String before = TestFiles.sha256(vhd);
        MacAddress a = new MacAddress(0x5254_0000_0001L);
        MacAddress b = new MacAddress(0x5254_0000_0002L);

        farm.qemuIo(a, "write -P 0xa1" + AT, "flush", "read -P 0xa1" + AT);
        farm.qemuIo(a, "read -P 0xa1" + AT);                  // a new connection: the cache lived on
        farm.qemuIo(b, "read -P 0" + AT);                     // another device does not see it
        farm.qemuIoReadOnly("lab", "read -P 0" + AT);                 // nor does the vDisk itself
        assertThat(TestFiles.sha256(vhd)).isEqualTo(before);   // nor its file

        HttpResponse<String> boot = farm.post("/api/v1/devices/" + a + "/boot");
        assertThat(boot.statusCode()).isEqualTo(200);
        assertThat(boot.body()).contains("\"writeCacheDropped\":true");
        farm.qemuIo(a, "read -P 0" + AT);                     // after its boot event the cache starts empty
        assertThat(TestFiles.sha256(vhd)).isEqualTo(before);
    }

    @Test
    void twentyDevicesWritingAtOnceKeepTheirDataApart() throws Exception {
        start(WriteCacheType.RAM_OVERFLOW, 1L << 20, 20);
        List<Process> writers = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            // Every device writes the same 2 MiB (more than its 1 MiB of RAM, so the overflow file is used too).
            writers.add(new ProcessBuilder(farm.qemuIoCommand(new MacAddress(0x5254_0000_0000L + i),
                    "write -P " + i + " 8M 2M", "read -P " + i + " 8M 2M"))
                    .redirectErrorStream(true).redirectOutput(farm.data.resolve("writer" + i + ".log").toFile())
                    .start());
        }
        for (int i = 0; i < writers.size(); i++) {
            Process writer = writers.get(i);
            assertThat(writer.waitFor(ServerFixture.CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(writer.exitValue()).as(log(i + 1)).isZero();
            assertThat(log(i + 1)).doesNotContain("Pattern verification failed");
        }
        for (int i = 1; i <= 20; i++) {
            farm.qemuIo(new MacAddress(0x5254_0000_0000L + i), "read -P " + i + " 8M 2M");
        }
    }

    private String log(int writer) {
        try {
            return java.nio.file.Files.readString(farm.data.resolve("writer" + writer + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void aFullRamCacheAnswersNoSpaceAndTheDeviceGoesOn() {
        start(WriteCacheType.RAM, 1L << 20, 1);
        MacAddress a = new MacAddress(0x5254_0000_0001L);
        ClientProcess.Result full = tryRun(farm.qemuIoCommand(a, "write -P 7 8M 2M").toArray(String[]::new));
        assertThat(full.stdout() + full.stderr()).contains("No space left on device");
        farm.qemuIo(a, "write -P 8 16M 64k", "read -P 8 16M 64k");
        farm.qemuIoReadOnly("lab", "read -P 0 16M 64k");
    }
}
