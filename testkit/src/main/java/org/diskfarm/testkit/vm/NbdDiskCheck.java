package org.diskfarm.testkit.vm;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The disk write check of {@link BootDiskImage#buildWithNbdCheck}: what its {@code /init} does after printing the
 * boot marker, the lines it prints, and {@link Report} to read them back from a console.
 *
 * <p>Linux cannot reach the iSCSI disk it was booted from (iPXE's INT 13h hook serves the BIOS only, and the initramfs
 * has no iSCSI initiator), so the check reaches the device's disk over NBD instead, where diskfarm exports it under
 * the device's MAC address through the same write cache as its iSCSI target. {@code /init}:
 * <ol>
 *   <li>mounts proc, sysfs and devtmpfs, and loads with busybox {@code insmod} the modules {@link #MODULES} names and
 *       their dependencies, from the kernel's own .deb ({@link KernelModules});</li>
 *   <li>brings up {@code eth0} with busybox {@code udhcpc} (a script sets the address, the prefix length and a
 *       default route from the lease), then prints {@code DISKFARM-DISK-NET MAC ADDRESS/PREFIX};</li>
 *   <li>takes the server from the kernel command line, {@code diskfarm.nbd=ADDRESS:PORT} (syslinux.cfg's APPEND line,
 *       written at build time), prints {@code DISKFARM-DISK-NBD ADDRESS:PORT MAC} and connects {@code /dev/nbd0} with
 *       Debian's {@code nbd-client ADDRESS PORT /dev/nbd0 -N MAC} (nbd-client 3.24, which negotiates with
 *       NBD_OPT_GO and configures the kernel over netlink; busybox's nbd-client applet is not in Debian's busybox);
 *       the export name is the NIC's MAC as /sys/class/net/eth0/address has it, lower case with colons;</li>
 *   <li>reads the sector at {@link #offset(long)} (the disk's last MiB, outside the FAT partition, which
 *       {@link BootDiskImage#buildWithNbdCheck} ends 1 MiB early: writing there leaves the next boot undisturbed)
 *       with {@code dd iflag=direct}, and prints {@code DISKFARM-DISK-BEFORE TEXT};</li>
 *   <li>writes {@link #record(String)} there, zero-padded to 512 bytes ({@code dd oflag=direct conv=fsync}),
 *       disconnects ({@code nbd-client -d}), connects again so that the read-back comes from the server and not
 *       from the kernel's cache, reads the sector and prints {@code DISKFARM-DISK-AFTER TEXT};</li>
 *   <li>disconnects, prints {@link #DONE} and powers off ({@code poweroff -f}). Any step that fails prints
 *       {@code DISKFARM-DISK-FAILED WHAT} and powers off at once.</li>
 * </ol>
 * TEXT is the sector's first 32 bytes with zero bytes dropped and other bytes outside printable ASCII shown as
 * {@code ?}; {@link #ZEROS} if the whole sector is zero, {@code (binary)} if its first 32 bytes are zero but the rest
 * is not. Every line is shorter than 80 columns (SeaBIOS's screen wraps at 80). Right after the marker /init lowers
 * the console log level to 4, so that from then on only kernel errors appear between these lines (and none splits
 * one); nbd-client's own lines of the first connection are shown ({@code Negotiation: ..size = 64MB}, {@code bs=512,
 * sz=67108864 bytes}); a failure prints the last 15 lines of {@code dmesg} before its FAILED line.
 *
 * <p>Threads: stateless.
 */
public final class NbdDiskCheck {
    public static final String NET = "DISKFARM-DISK-NET";
    public static final String NBD = "DISKFARM-DISK-NBD";
    public static final String BEFORE = "DISKFARM-DISK-BEFORE";
    public static final String AFTER = "DISKFARM-DISK-AFTER";
    public static final String DONE = "DISKFARM-DISK-DONE";
    public static final String FAILED = "DISKFARM-DISK-FAILED";
    /** The TEXT of a sector that is all zeros. */
    public static final String ZEROS = "(zeros)";
    /** The space at the end of the disk that the partition leaves out; the check writes its first sector. */
    public static final long SCRATCH_SIZE = 1L << 20;
    /** {@link #offset(long)} of a {@link BootDiskImage#DEFAULT_SIZE} disk: 63 MiB. */
    public static final long DEFAULT_OFFSET = BootDiskImage.DEFAULT_SIZE - SCRATCH_SIZE;
    /**
     * The modules /init asks for: the NIC drivers of QEMU's e1000 and virtio-net-pci (with the virtio PCI transport,
     * a module in Debian's kernel that no driver depends on), and the NBD client. Their dependencies come along.
     */
    public static final List<String> MODULES = List.of("e1000", "virtio_pci", "virtio_net", "nbd");

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    private NbdDiskCheck() {
    }

    /** The byte offset of the sector the check writes on a disk of {@code diskSize} bytes: its last MiB. */
    public static long offset(long diskSize) {
        return diskSize - SCRATCH_SIZE;
    }

    /**
     * What the device with {@code mac} writes at the offset: {@code DEVICE 52:54:00:00:00:01} (lower case), then
     * zeros to the end of the sector. Also the TEXT that {@link #AFTER} shows.
     */
    public static String record(String mac) {
        return "DEVICE " + mac.toLowerCase(Locale.ROOT);
    }

    /** The kernel command line parameter that names the NBD server. */
    static String kernelParameter(String server, int port) {
        checkServer(server, port);
        return "diskfarm.nbd=" + server + ":" + port;
    }

    /**
     * Fails unless {@code server} is an IPv4 literal (the initramfs has no resolver) and {@code port} a TCP port.
     */
    static void checkServer(String server, int port) {
        Objects.requireNonNull(server, "server");
        if (!IPV4.matcher(server).matches()) {
            throw new IllegalArgumentException("the NBD server must be an IPv4 address (the initramfs has no "
                    + "resolver): " + server);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("NBD port out of 1..65535: " + port);
        }
    }

    /**
     * What the check printed on a console, read from the screen text ({@code LabVm.screen()}, or the raw log).
     *
     * @param net     the NET line's rest ({@code MAC ADDRESS/PREFIX}), or null
     * @param before  the BEFORE line's TEXT, or null if the check did not get that far
     * @param after   the AFTER line's TEXT, or null
     * @param done    whether DONE was printed
     * @param failure the FAILED line's rest, or null
     */
    public record Report(String net, String before, String after, boolean done, String failure) {
        /** The first of each line on {@code console}; later repeats (a second boot in the same log) are ignored. */
        public static Report of(String console) {
            String net = null;
            String before = null;
            String after = null;
            boolean done = false;
            String failure = null;
            for (String raw : console.lines().toList()) {
                String line = raw.strip();
                net = net == null ? rest(line, NET) : net;
                before = before == null ? rest(line, BEFORE) : before;
                after = after == null ? rest(line, AFTER) : after;
                done |= line.equals(DONE);
                failure = failure == null ? rest(line, FAILED) : failure;
            }
            return new Report(net, before, after, done, failure);
        }

        /** Whether the check ended, either way: DONE or FAILED was printed. */
        public boolean ended() {
            return done || failure != null;
        }

        private static String rest(String line, String prefix) {
            return line.startsWith(prefix + " ") ? line.substring(prefix.length() + 1) : null;
        }
    }
}
