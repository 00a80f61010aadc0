package org.diskfarm.farm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevicesFileTest {
    private static final MacAddress PC01 = MacAddress.parse("52:54:00:00:00:01");
    private static final MacAddress PC02 = MacAddress.parse("52:54:00:00:00:02");

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("devices.csv");
    }

    private Path write(String text) throws IOException {
        return Files.writeString(file(), text);
    }

    /** Writes {@code text} and moves the modification time {@code seconds} on, so its time changes too. */
    private void edit(String text, int seconds) throws IOException {
        FileTime before = Files.getLastModifiedTime(file());
        write(text);
        Files.setLastModifiedTime(file(), FileTime.fromMillis(before.toMillis() + seconds * 1000L));
    }

    /** Opening {@code text} fails with one line starting with the file and {@code line}, containing {@code parts}. */
    private void assertRejected(String text, int line, String... parts) throws IOException {
        write(text);
        assertThatThrownBy(() -> DevicesFile.open(file())).isInstanceOfSatisfying(IllegalArgumentException.class,
                e -> assertThat(e.getMessage()).startsWith(file() + ":" + line + ": ").doesNotContain("\n")
                        .contains(parts));
    }

    @Test
    void readsDevicesSkippingCommentsAndBlankLinesAndTrimmingFields() throws IOException {
        DevicesFile devices = DevicesFile.open(write("""
                # the lab
                mac,name,vdisk

                  52-54-00-00-00-02 ,  pc02 ,win11 \t
                # pc01 is the teacher's
                52:54:00:00:00:01,pc01,win10
                """));
        assertThat(devices.file()).isEqualTo(file());
        assertThat(devices.all()).containsExactly(new TargetDevice(PC01, "pc01", "win10"),
                new TargetDevice(PC02, "pc02", "win11"));
        assertThat(devices.find(PC02)).contains(new TargetDevice(PC02, "pc02", "win11"));
        assertThat(devices.find(MacAddress.parse("52:54:00:00:00:03"))).isEmpty();
    }

    @Test
    void theHeaderMayHaveSpacesAndAnyCaseAndCrlfLineEndsAreRead() throws IOException {
        DevicesFile devices = DevicesFile.open(write("MAC, Name, vDisk\r\n5254000000AB,pc01,win10\r\n"));
        assertThat(devices.all()).containsExactly(new TargetDevice(new MacAddress(0x5254_0000_00ABL), "pc01", "win10"));
    }

    @Test
    void aFileSavedWithAByteOrderMarkIsRead() throws IOException {
        DevicesFile devices = DevicesFile.open(write("\uFEFFmac,name,vdisk\n52:54:00:00:00:01,pc01,win10\n"));
        assertThat(devices.all()).containsExactly(new TargetDevice(PC01, "pc01", "win10"));
    }

    @Test
    void aMissingFileOrAFileWithoutDevicesMeansNoDevices() throws IOException {
        DevicesFile missing = DevicesFile.open(file());
        assertThat(missing.all()).isEmpty();
        assertThat(missing.find(PC01)).isEmpty();
        assertThat(DevicesFile.open(write("mac,name,vdisk\n")).all()).isEmpty();
        assertThat(DevicesFile.open(write("# nothing yet\n\n")).all()).isEmpty();
    }

    @Test
    void badFilesAreRefusedWithTheFileLineAndProblem() throws IOException {
        assertRejected("mac,name\n", 1, "header", "'mac,name,vdisk'", "'mac,name'");
        assertRejected("# devices\n\n52:54:00:00:00:01,pc01,win10\n", 3, "header");
        assertRejected("mac,name,vdisk\n52:54:00:00:00:01,pc01\n", 2, "expected 3 fields", "found 2");
        assertRejected("mac,name,vdisk\n52:54:00:00:00:01,pc01,win10,\n", 2, "expected 3 fields", "found 4");
        assertRejected("mac,name,vdisk\n\n52:54:00:00:0g:01,pc01,win10\n", 3, "not a MAC address", "52:54:00:00:0g:01");
        assertRejected("mac,name,vdisk\n52:54:00:00:00:01, ,win10\n", 2, "name and vDisk must not be empty");
        assertRejected("mac,name,vdisk\n52:54:00:00:00:01,pc01,\n", 2, "name and vDisk must not be empty");
        assertRejected("mac,name,vdisk\n52:54:00:00:00:01,pc01,w\n52-54-00-00-00-01,pc02,w\n", 3,
                "52:54:00:00:00:01", "twice");
        assertRejected("mac,name,vdisk\n52:54:00:00:00:01,pc01,w\n# x\n52:54:00:00:00:02,pc01,w\n", 4,
                "pc01", "line 2");
    }

    @Test
    void aMacAddressWithNonAsciiDigitsIsRefusedWithItsLine() throws IOException {
        assertRejected("mac,name,vdisk\n５２:54:00:00:00:01,pc01,win10\n", 2, "not a MAC address");
    }

    @Test
    void anEditWhileRunningIsSeen() throws IOException {
        write("mac,name,vdisk\n52:54:00:00:00:01,pc01,win10\n");
        DevicesFile devices = DevicesFile.open(file());
        assertThat(devices.all()).extracting(TargetDevice::name).containsExactly("pc01");

        edit("mac,name,vdisk\n52:54:00:00:00:01,pc01,win10\n52:54:00:00:00:02,pc02,win11\n", 10);
        assertThat(devices.find(PC02)).contains(new TargetDevice(PC02, "pc02", "win11"));

        edit("mac,name,vdisk\n52:54:00:00:00:01,pc01,win10\n52:54:00:00:00:02,pc02,win12\n", 20);
        assertThat(devices.find(PC02)).contains(new TargetDevice(PC02, "pc02", "win12"));

        Files.delete(file());
        assertThat(devices.all()).isEmpty();
        write("mac,name,vdisk\n52:54:00:00:00:02,pc02,win11\n");
        assertThat(devices.all()).containsExactly(new TargetDevice(PC02, "pc02", "win11"));
    }

    @Test
    void aSameSizeEditIsSeenByItsModificationTime() throws IOException {
        write("mac,name,vdisk\n52:54:00:00:00:01,pc01,win10\n");
        DevicesFile devices = DevicesFile.open(file());
        assertThat(devices.find(PC01)).map(TargetDevice::vdisk).contains("win10");
        edit("mac,name,vdisk\n52:54:00:00:00:01,pc01,win11\n", 10);
        assertThat(devices.find(PC01)).map(TargetDevice::vdisk).contains("win11");
    }

    @Test
    void aBadEditWhileRunningKeepsTheLastGoodDevices() throws IOException {
        write("mac,name,vdisk\n52:54:00:00:00:01,pc01,win10\n");
        DevicesFile devices = DevicesFile.open(file());
        List<TargetDevice> good = devices.all();

        edit("mac,name,vdisk\n52:54:00:00:00:01,pc01,win10\n52:54:00:00:00:02,pc01,win11\n", 10);
        assertThat(devices.all()).isEqualTo(good);
        assertThat(devices.all()).isEqualTo(good);
        edit("mac,name,vdisk\n52:54:00:00:00:01,pc01,win10\n52:54:00:00:00:02,pc02\n", 20);
        assertThat(devices.all()).isEqualTo(good);

        edit("mac,name,vdisk\n52:54:00:00:00:01,pc01,win10\n52:54:00:00:00:02,pc02,win11\n", 30);
        assertThat(devices.all()).extracting(TargetDevice::name).containsExactly("pc01", "pc02");
    }

    @Test
    void renderedDevicesReadBackTheSame() throws IOException {
        List<TargetDevice> devices = List.of(new TargetDevice(PC01, "pc01", "win10"),
                new TargetDevice(PC02, "pc02", "win11.2"),
                new TargetDevice(new MacAddress(0xFFFF_FFFF_FFFFL), "teacher-pc", "base"));
        String text = DevicesFile.render(devices);
        assertThat(text).startsWith(DevicesFile.HEADER + "\n").contains("\n52:54:00:00:00:01,pc01,win10\n")
                .endsWith("\n");
        assertThat(DevicesFile.open(write(text)).all()).isEqualTo(devices);
        assertThat(DevicesFile.render(List.of())).isEqualTo(DevicesFile.HEADER + "\n");
    }
}
