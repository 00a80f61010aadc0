package org.diskfarm.testkit.vm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BootDiskImageTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        VmTools.ensure(VmTools.BOOT_DISK).ifPresent(missing -> assumeTrue(false, missing));
    }

    @Test
    void imageHasABootableFat16PartitionWithSyslinuxKernelAndInitramfs() throws IOException {
        BootDiskImage.BootDisk disk = BootDiskImage.build(VmCache.dir());

        assertThat(Files.size(disk.image())).isEqualTo(BootDiskImage.DEFAULT_SIZE);
        assertThat(disk.marker()).matches("DISKFARM-BOOT-OK [0-9a-f]{16}");
        ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(disk.image())) {
            channel.read(mbr, 0);
        }
        byte[] bootCode = new byte[440];
        mbr.get(0, bootCode);
        assertThat(bootCode).isEqualTo(Arrays.copyOf(Files.readAllBytes(VmTools.SYSLINUX_MBR), 440));
        assertThat(Short.toUnsignedInt(mbr.getShort(510))).isEqualTo(0xaa55);
        assertThat(mbr.get(446) & 0xff).as("partition 1 active").isEqualTo(0x80);
        assertThat(mbr.get(446 + 4) & 0xff).as("partition 1 type FAT16 LBA").isEqualTo(0x0e);
        assertThat(mbr.getInt(446 + 8)).as("partition 1 start").isEqualTo(2048);
        assertThat(mbr.getInt(446 + 12)).as("partition 1 sectors").isEqualTo((64 << 20) / 512 - 2048);

        String listing = Commands.checkIn(dir, Map.of("MTOOLS_SKIP_CHECK", "1"), null,
                List.of(Commands.require("mdir", "mtools"), "-a", "-b", "-i", disk.image() + "@@1M", "::"));
        assertThat(listing.lines().map(line -> line.replace("::/", "").strip().toLowerCase()))
                .contains("vmlinuz", "initrd.gz", "syslinux.cfg", "ldlinux.sys", "ldlinux.c32");
    }

    @Test
    void secondBuildComesFromTheCache() {
        BootDiskImage.BootDisk first = BootDiskImage.build(VmCache.dir());
        BootDiskImage.BootDisk second = BootDiskImage.build(VmCache.dir());

        assertThat(second).isEqualTo(first);
    }

    @Test
    void initramfsUnpacksWithBusyboxCpioAndHoldsInitConsoleAndBusybox() throws IOException {
        Path initrd = dir.resolve("initrd.gz");
        Initramfs.write(VmTools.BUSYBOX, "DISKFARM-BOOT-OK test", initrd);
        Path cpio = dir.resolve("initrd.cpio");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(initrd))) {
            Files.copy(in, cpio);
        }

        String listing = Commands.checkIn(dir, Map.of(), cpio, List.of(VmTools.BUSYBOX.toString(), "cpio", "-t",
                "-v"));

        assertThat(listing).contains("init", "bin/busybox", "bin/sh -> busybox", "dev/console");
        assertThat(listing).containsPattern("crw------- .*dev/console");
        assertThat(listing).containsPattern("-rwxr-xr-x .* init");
    }
}
