package org.diskfarm.testkit.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A QEMU x86-64 PC that network-boots Debian's iPXE ROM, which fetches an iPXE script over HTTP from this JVM and
 * {@code sanboot}s an iSCSI disk; the boot passes when the booted Linux prints the disk's marker on the serial port.
 *
 * <p>The machine, as started ({@link BootResult#command()} has the exact line):
 * <pre>
 * qemu-system-x86_64 -nographic -vga none -parallel none -machine pc -accel tcg -m 256 -smp 1 -no-reboot -boot n
 *   -serial file:WORKDIR/console-N.log -monitor none
 *   -netdev user,id=n0,bootfile=http://10.0.2.2:HTTPPORT/boot.ipxe
 *   -device virtio-net-pci,netdev=n0
 * </pre>
 * <ul>
 *   <li>{@code -accel tcg}: plain emulation. KVM is not used on purpose: iPXE fails under KVM on these CI machines.
 *       A boot of the {@link BootDiskImage} disk from tgtd takes about 14 s under TCG on this 2-core machine: 2.5 s
 *       to iPXE's first DHCP, 3 s DHCP, 3 s for the script's own {@code dhcp}, under 1 s to read kernel and
 *       initramfs (9 MB) over iSCSI, 5 s of Linux.</li>
 *   <li>{@code -nographic}: QEMU then tells SeaBIOS to use the serial port as its console ({@code etc/sercon-port}),
 *       so SeaBIOS's and iPXE's text, iPXE's errors included, land in the console log, with some ANSI sequences
 *       and backspaces between them. {@code -vga none} and not {@code -nodefaults}: with -nodefaults and no VGA
 *       (QEMU 7.2, SeaBIOS 1.16.2) SeaBIOS never runs the NIC's ROM and goes straight to "No bootable device". An
 *       explicit -netdev already stops QEMU's default NIC; the default IDE CD-ROM and floppy stay, empty.</li>
 *   <li>{@code -boot n}: SeaBIOS boots the NIC's option ROM first. The ROM is iPXE from Debian's ipxe-qemu package
 *       (1.0.0+git-20190125 in Debian 12): {@code /usr/lib/ipxe/qemu/efi-virtio.rom}, QEMU's default romfile for
 *       virtio-net-pci, found through QEMU's firmware path. Do not name it with {@code romfile=}: the ROM's PCI
 *       header says device 1af4:1041 (modern virtio-net), the transitional virtio-net-pci is 1af4:1000, QEMU patches
 *       the IDs only into its default ROM, and SeaBIOS silently skips a ROM whose IDs do not match — the boot then
 *       ends in "No bootable device" without a word from iPXE. {@link #withRom} passes {@code romfile=} and
 *       {@code disable-legacy=on} (device 1af4:1041) for that reason.</li>
 *   <li>{@code -netdev user}: QEMU's own DHCP server gives iPXE 10.0.2.15 and the script URL as boot file name. The
 *       guest reaches the host's 127.0.0.1 as 10.0.2.2 (the script server here, the iSCSI target in the test);
 *       QEMU connects to those from the host's loopback, so nothing leaves the machine. Keep IPv6 on: iPXE's
 *       "Configuring (net0 ...)" waits for a router advertisement as well as for DHCP, and with {@code ipv6=off}
 *       nobody answers its router solicitations, which made each DHCP take 16 s instead of 3 (the guest's traffic
 *       can be seen with {@code -object filter-dump,id=f0,netdev=n0,file=guest.pcap}).</li>
 *   <li>{@code -no-reboot}: a reset (triple fault, kernel panic with panic=1, SeaBIOS giving up) ends QEMU instead of
 *       looping; /init's {@code poweroff -f} ends it too.</li>
 * </ul>
 * The fixture polls the console log (bounded by the timeout) for the marker, for {@link IscsiBoot#SANBOOT_FAILED},
 * or for QEMU's end, and always kills QEMU (by its PID, SIGTERM then SIGKILL) before returning.
 *
 * <p>Threads: an instance may boot several VMs at once; each boot has its own log files.
 */
public final class IpxeVm {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final Path workDir;
    private final Duration timeout;
    private final int memoryMiB;
    /** Null for QEMU's default ROM (Debian's efi-virtio.rom). */
    private final Path rom;

    private IpxeVm(Path workDir, Duration timeout, int memoryMiB, Path rom) {
        this.workDir = Objects.requireNonNull(workDir);
        this.timeout = Objects.requireNonNull(timeout);
        this.memoryMiB = memoryMiB;
        this.rom = rom;
    }

    /** A VM that keeps its console and QEMU logs in {@code workDir}; 256 MiB, {@link #DEFAULT_TIMEOUT}. */
    public static IpxeVm in(Path workDir) {
        return new IpxeVm(workDir, DEFAULT_TIMEOUT, 256, null);
    }

    public IpxeVm withTimeout(Duration newTimeout) {
        return new IpxeVm(workDir, newTimeout, memoryMiB, rom);
    }

    public IpxeVm withMemoryMiB(int mib) {
        return new IpxeVm(workDir, timeout, mib, rom);
    }

    /**
     * Another iPXE ROM for the NIC, e.g. a newer iPXE build ({@code bin/1af41041.rom} style, for the modern
     * virtio-net device 1af4:1041): the NIC is then started with {@code romfile=FILE,disable-legacy=on}.
     */
    public IpxeVm withRom(Path romFile) {
        return new IpxeVm(workDir, timeout, memoryMiB, Objects.requireNonNull(romFile));
    }

    /**
     * Boots from {@code target} and waits for {@code marker} on the console. Never throws for a failed boot: the
     * result says how it ended ({@link BootResult#assertBooted()} fails with the details). Throws only when QEMU
     * cannot be started at all or the tools are missing.
     */
    public BootResult boot(IscsiBoot target, String marker) {
        VmTools.ensure(VmTools.VM).ifPresent(missing -> {
            throw new IllegalStateException("cannot start the VM: " + missing);
        });
        int run = RUNS.incrementAndGet();
        Path console = workDir.resolve("console-" + run + ".log");
        Path qemuOutput = workDir.resolve("qemu-" + run + ".out");
        try (IpxeScriptServer scripts = new IpxeScriptServer(target.script())) {
            Files.createDirectories(workDir);
            Files.deleteIfExists(console);
            List<String> command = command(scripts.guestUrl(), console);
            long start = System.nanoTime();
            OwnProcess qemu = new OwnProcess(new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(qemuOutput.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start());
            try {
                BootResult.Outcome outcome = waitForOutcome(qemu.process(), console, marker, start);
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                qemu.close();  // before reading the logs, so that they are complete
                return new BootResult(outcome, elapsed, read(console), read(qemuOutput), command, scripts.requests());
            } finally {
                qemu.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start QEMU: " + e.getMessage(), e);
        }
    }

    private List<String> command(String scriptUrl, Path console) {
        return List.of(Commands.require("qemu-system-x86_64", "qemu-system-x86"),
                "-nographic", "-vga", "none", "-parallel", "none", "-machine", "pc", "-accel", "tcg",
                "-m", Integer.toString(memoryMiB), "-smp", "1", "-no-reboot", "-boot", "n",
                "-serial", "file:" + console.toAbsolutePath(), "-monitor", "none",
                "-netdev", "user,id=n0,bootfile=" + scriptUrl,
                "-device", "virtio-net-pci,netdev=n0"
                        + (rom == null ? "" : ",disable-legacy=on,romfile=" + rom.toAbsolutePath()));
    }

    private BootResult.Outcome waitForOutcome(Process qemu, Path console, String marker, long start) {
        long deadline = start + timeout.toNanos();
        while (true) {
            boolean exited = !qemu.isAlive();
            String seen = read(console);  // read after the liveness check: a marker written just before exit counts
            if (seen.contains(marker)) {
                return BootResult.Outcome.MARKER_SEEN;
            }
            if (seen.contains(IscsiBoot.SANBOOT_FAILED + " errno")) {
                return BootResult.Outcome.SANBOOT_FAILED;
            }
            if (exited) {
                return BootResult.Outcome.QEMU_EXITED;
            }
            if (System.nanoTime() - deadline >= 0) {
                return BootResult.Outcome.TIMED_OUT;
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return BootResult.Outcome.TIMED_OUT;
            }
        }
    }

    /**
     * The file as text, or "" before QEMU has created it. Latin-1 so that no byte of firmware output is malformed.
     */
    private static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
