package org.diskfarm.testkit.vm;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * The initramfs of the boot disk: a gzip-compressed newc cpio with a static busybox and an {@code /init} that prints
 * the marker line on the console and powers the machine off. It is all the Linux side of the boot check needs: the
 * kernel and this archive arrive over iSCSI (syslinux reads them through iPXE's INT 13h), and the kernel never touches
 * the disk itself, so no storage drivers or modules are needed.
 *
 * <p>The marker is not on the kernel command line on purpose: the kernel echoes its command line on the console, and
 * the marker must appear only when {@code /init} really ran.
 *
 * <p>Threads: stateless.
 */
final class Initramfs {
    private Initramfs() {
    }

    /** The {@code /init} script for {@code marker}; part of the boot disk's cache key. */
    static String initScript(String marker) {
        return """
                #!/bin/sh
                # diskfarm boot check: the kernel and this initramfs came over iSCSI; say so and power off.
                /bin/busybox mount -t proc proc /proc
                echo
                echo "diskfarm init: kernel $(/bin/busybox uname -r), cmdline: $(/bin/busybox cat /proc/cmdline)"
                echo "%s"
                echo
                /bin/busybox poweroff -f
                # poweroff -f does not return; if it ever did, init's exit panics the kernel, and panic=1 with QEMU's
                # -no-reboot ends the VM.
                """.formatted(marker);
    }

    /**
     * Writes the archive to {@code target}. {@code busybox} must be statically linked (Debian package
     * busybox-static): the archive holds no C library.
     */
    static void write(Path busybox, String marker, Path target) {
        try (OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(target)))) {
            Cpio cpio = new Cpio(out);
            for (String dir : new String[] {"bin", "dev", "proc", "sys"}) {
                cpio.directory(dir);
            }
            // Without /dev/console in the initramfs the kernel starts /init with no stdin, stdout or stderr.
            cpio.characterDevice("dev/console", 0600, 5, 1);
            cpio.file("bin/busybox", 0755, Files.readAllBytes(busybox));
            cpio.symlink("bin/sh", "busybox");
            cpio.file("init", 0755, initScript(marker).getBytes(StandardCharsets.UTF_8));
            cpio.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the initramfs " + target + ": " + e.getMessage(), e);
        }
    }
}
