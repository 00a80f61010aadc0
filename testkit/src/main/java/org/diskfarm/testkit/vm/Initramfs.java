package org.diskfarm.testkit.vm;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * The initramfs of the boot disk: a gzip-compressed newc cpio with a static busybox and an {@code /init} that prints
 * the marker line on the console and powers the machine off. It is all the Linux side of the boot check needs: the
 * kernel and this archive arrive over iSCSI (syslinux reads them through iPXE's INT 13h), and the kernel never touches
 * the disk itself, so no storage drivers or modules are needed.
 *
 * <p>The second kind, {@link #writeWithNbdCheck}, adds what {@link NbdDiskCheck} needs: kernel modules in
 * {@code /lib/modules/NAME.ko}, Debian's {@code nbd-client} as {@code /bin/nbd-client} with the shared libraries
 * {@code ldd} names for it at their own paths (the C library, GnuTLS and what it pulls in, libnl: about 9 MB, 4 MB
 * compressed), a udhcpc script, and an {@code /init} that runs the check after the marker.
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
     * The {@code /init} of the NBD-check kind ({@link NbdDiskCheck} describes it): the marker, then the modules in
     * {@code modules} order, DHCP, nbd-client, and the sector at {@code sector} (512-byte units) read, written, read
     * back over a new connection. Part of the boot disk's cache key.
     */
    static String nbdInitScript(String marker, List<String> modules, long sector) {
        return """
                #!/bin/sh
                # diskfarm disk check: print the marker, then write this device's record to its own disk over NBD
                # (export name: the NIC's MAC; server: diskfarm.nbd=ADDRESS:PORT on the kernel command line) and
                # read it back over a new connection; power off. See NbdDiskCheck.
                export PATH=/bin
                /bin/busybox mount -t proc proc /proc
                echo
                echo "diskfarm init: kernel $(/bin/busybox uname -r), cmdline: $(/bin/busybox cat /proc/cmdline)"
                echo "%1$s"
                echo
                /bin/busybox --install -s /bin
                # from here on only kernel errors reach the console, so that no kernel line splits one of ours
                echo 4 >/proc/sys/kernel/printk
                fail() {
                    dmesg | tail -n 15
                    echo "%2$s $*"
                    poweroff -f
                }
                mount -t sysfs sysfs /sys
                mount -t devtmpfs devtmpfs /dev || fail "mount devtmpfs"
                for module in %3$s; do
                    insmod /lib/modules/$module.ko || fail "insmod $module"
                done
                nbd=
                for arg in $(cat /proc/cmdline); do
                    case "$arg" in diskfarm.nbd=*) nbd="${arg#diskfarm.nbd=}" ;; esac
                done
                [ -n "$nbd" ] || fail "no diskfarm.nbd=ADDRESS:PORT"
                server="${nbd%%:*}"
                port="${nbd##*:}"
                i=0
                while [ ! -e /sys/class/net/eth0 ]; do
                    i=$((i + 1))
                    [ $i -le 100 ] || fail "no eth0"
                    usleep 100000
                done
                mac=$(cat /sys/class/net/eth0/address)
                ip link set lo up
                ip link set eth0 up
                udhcpc -i eth0 -f -q -n -t 10 -T 1 -s /etc/udhcpc.script >/tmp/udhcpc.log 2>&1 || {
                    cat /tmp/udhcpc.log
                    fail "dhcp $mac"
                }
                echo "%4$s $mac $(ip -4 -o addr show dev eth0 | awk '{print $4}')"
                echo "%5$s $server:$port $mac"
                connect() {
                    nbd-client "$server" "$port" /dev/nbd0 -N "$mac" >/tmp/nbd.log 2>&1 || {
                        cat /tmp/nbd.log
                        fail "nbd-client $1"
                    }
                    [ "$1" = reconnect ] || cat /tmp/nbd.log
                }
                dd if=/dev/zero of=/tmp/zeros bs=512 count=1 2>/dev/null
                show() {
                    if cmp -s "$1" /tmp/zeros; then
                        echo "%6$s"
                        return
                    fi
                    text=$(head -c 32 "$1" | tr -d '\\000' | tr -c ' -~' '?')
                    echo "${text:-(binary)}"
                }
                sector=%7$d
                connect connect
                dd if=/dev/nbd0 of=/tmp/before bs=512 skip=$sector count=1 iflag=direct 2>/tmp/dd.log || {
                    cat /tmp/dd.log
                    fail "read $sector"
                }
                echo "%8$s $(show /tmp/before)"
                printf 'DEVICE %%s' "$mac" >/tmp/record
                dd if=/tmp/record of=/tmp/sector bs=512 count=1 conv=sync 2>/dev/null
                out="of=/dev/nbd0 seek=$sector oflag=direct conv=notrunc,fsync"
                dd if=/tmp/sector $out bs=512 count=1 2>/tmp/dd.log || {
                    cat /tmp/dd.log
                    fail "write $sector"
                }
                nbd-client -d /dev/nbd0 >/dev/null 2>&1 || fail "nbd-client -d"
                # a new connection: what is read back comes from the server, not from this kernel's cache
                connect reconnect
                dd if=/dev/nbd0 of=/tmp/after bs=512 skip=$sector count=1 iflag=direct 2>/tmp/dd.log || {
                    cat /tmp/dd.log
                    fail "read back $sector"
                }
                echo "%9$s $(show /tmp/after)"
                nbd-client -d /dev/nbd0 >/dev/null 2>&1 || fail "nbd-client -d"
                echo "%10$s"
                echo
                poweroff -f
                """.formatted(marker, NbdDiskCheck.FAILED, String.join(" ", modules), NbdDiskCheck.NET,
                NbdDiskCheck.NBD, NbdDiskCheck.ZEROS, sector, NbdDiskCheck.BEFORE, NbdDiskCheck.AFTER,
                NbdDiskCheck.DONE);
    }

    /**
     * The udhcpc script of the NBD-check kind: on a lease, the address with its prefix length ({@code $mask}), and a
     * default route through the first router if the lease names one.
     */
    static String udhcpcScript() {
        return """
                #!/bin/sh
                case "$1" in
                    deconfig)
                        ip -4 addr flush dev "$interface"
                        ip link set "$interface" up
                        ;;
                    bound|renew)
                        ip -4 addr flush dev "$interface"
                        ip addr add "$ip/${mask:-24}" dev "$interface"
                        for gateway in $router; do
                            ip route add default via "$gateway" dev "$interface"
                            break
                        done
                        ;;
                esac
                exit 0
                """;
    }

    /**
     * Writes the archive of the NBD-check kind to {@code target}: {@link #write}'s content with
     * {@link #nbdInitScript} as /init, {@code modules} as {@code /lib/modules/NAME.ko} (loaded in this order), and
     * {@code files} (path in the archive to file on this machine: nbd-client and its libraries,
     * {@link #withLibraries}).
     */
    static void writeWithNbdCheck(Path busybox, String marker, List<KernelModules.Module> modules, long sector,
                                  Map<String, Path> files, Path target) {
        try (OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(target)))) {
            Cpio cpio = new Cpio(out);
            Set<String> dirs = new LinkedHashSet<>();
            for (String dir : new String[] {"bin", "dev", "proc", "sys", "tmp", "etc", "lib/modules"}) {
                directories(cpio, dirs, dir);
            }
            cpio.characterDevice("dev/console", 0600, 5, 1);
            cpio.file("bin/busybox", 0755, Files.readAllBytes(busybox));
            cpio.symlink("bin/sh", "busybox");
            cpio.file("etc/udhcpc.script", 0755, udhcpcScript().getBytes(StandardCharsets.UTF_8));
            for (KernelModules.Module module : modules) {
                cpio.file("lib/modules/" + module.name() + ".ko", 0644, Files.readAllBytes(module.file()));
            }
            for (Map.Entry<String, Path> file : files.entrySet()) {
                String name = file.getKey();
                int slash = name.lastIndexOf('/');
                if (slash > 0) {
                    directories(cpio, dirs, name.substring(0, slash));
                }
                cpio.file(name, 0755, Files.readAllBytes(file.getValue()));
            }
            String init = nbdInitScript(marker, modules.stream().map(KernelModules.Module::name).toList(), sector);
            cpio.file("init", 0755, init.getBytes(StandardCharsets.UTF_8));
            cpio.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the initramfs " + target + ": " + e.getMessage(), e);
        }
    }

    private static void directories(Cpio cpio, Set<String> made, String dir) {
        int slash = dir.lastIndexOf('/');
        if (slash > 0) {
            directories(cpio, made, dir.substring(0, slash));
        }
        if (made.add(dir)) {
            cpio.directory(dir);
        }
    }

    /**
     * {@code program} as {@code bin/NAME} and the shared libraries {@code ldd} lists for it, each at the path ldd
     * gives (symbolic links followed: the archive holds the content under the name the loader looks for), the dynamic
     * loader included; archive path to file. Fails if ldd cannot find a library.
     */
    static Map<String, Path> withLibraries(Path program) {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("bin/" + program.getFileName(), program);
        String printed = Commands.check(List.of(Commands.require("ldd", "libc-bin"), program.toString()));
        for (String raw : printed.lines().toList()) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("linux-vdso") || line.contains("statically linked")) {
                continue;
            }
            if (line.contains("not found")) {
                throw new IllegalStateException("ldd " + program + ": " + line);
            }
            String path = line.contains("=>") ? line.substring(line.indexOf("=>") + 2).strip() : line;
            path = path.replaceFirst("\\s*\\(0x[0-9a-f]+\\)$", "").strip();
            if (!path.startsWith("/")) {
                throw new IllegalStateException("ldd " + program + " printed a line without a path: " + line);
            }
            files.put(path.substring(1), Path.of(path));
        }
        return files;
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
