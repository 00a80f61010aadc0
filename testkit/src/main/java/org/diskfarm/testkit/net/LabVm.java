package org.diskfarm.testkit.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A QEMU PC on the lab's network that boots from its NIC: plain TCG, SeaBIOS, the NIC's iPXE option ROM from Debian's
 * ipxe-qemu (QEMU's default ROM for the model), a tap device on the lab's bridge, no disk. Started by
 * {@link NetLab#startVm}; the command line:
 * <pre>
 * ip netns exec LAB qemu-system-x86_64 -name NAME -nographic -vga none -parallel none -machine pc -accel tcg
 *   -m 256 -smp 1 -no-reboot -boot n -serial file:WORKDIR/NAME.console -monitor none
 *   -netdev tap,id=n0,ifname=TAPK,script=no,downscript=no
 *   -object filter-dump,id=f0,netdev=n0,file=WORKDIR/NAME.pcap
 *   -device e1000|virtio-net-pci,netdev=n0,mac=52:54:00:77:N:K
 * </pre>
 * With {@code -nographic} SeaBIOS copies its screen to the serial port, so everything iPXE prints (its DHCP, the
 * file names, {@code echo} from a script, errors) lands in {@link #consoleLog()} — as an 80-column screen, with ANSI
 * sequences and backspaces: lines longer than 80 characters wrap, so keep markers short. {@link #screen()} gives the
 * text without the control sequences. The notes of {@code org.diskfarm.testkit.vm.IpxeVm} on {@code -vga none},
 * {@code -no-reboot} and the virtio ROM apply here too.
 *
 * <p>Threads: safe.
 */
public final class LabVm implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);

    /** The NIC QEMU gives the PC; each model boots its own iPXE ROM (efi-e1000.rom, efi-virtio.rom). */
    public enum Nic {
        E1000("e1000"), VIRTIO("virtio-net-pci");

        private final String qemuModel;

        Nic(String qemuModel) {
            this.qemuModel = qemuModel;
        }

        public String qemuModel() {
            return qemuModel;
        }
    }

    /**
     * How to start a VM; {@link #spec()} gives the defaults (e1000, the lab's next MAC, 256 MiB, capture on).
     *
     * @param nic       the NIC model
     * @param mac       the NIC's MAC, or null for 52:54:00:77:N:K
     * @param memoryMiB the PC's memory
     * @param rom       another option ROM for the NIC, or null for QEMU's default (Debian's ipxe-qemu build)
     * @param capture   whether QEMU writes every frame of the NIC to NAME.pcap ({@link Capture})
     */
    public record Spec(Nic nic, String mac, int memoryMiB, Path rom, boolean capture) {
        public Spec {
            Objects.requireNonNull(nic);
            if (memoryMiB < 32) {
                throw new IllegalArgumentException("memory below 32 MiB: " + memoryMiB);
            }
        }

        public Spec withNic(Nic newNic) {
            return new Spec(newNic, mac, memoryMiB, rom, capture);
        }

        public Spec withMac(String newMac) {
            return new Spec(nic, newMac, memoryMiB, rom, capture);
        }

        public Spec withMemoryMiB(int mib) {
            return new Spec(nic, mac, mib, rom, capture);
        }

        public Spec withRom(Path romFile) {
            return new Spec(nic, mac, memoryMiB, romFile, capture);
        }

        public Spec withCapture(boolean on) {
            return new Spec(nic, mac, memoryMiB, rom, on);
        }
    }

    /** e1000, the lab's next MAC, 256 MiB, QEMU's default ROM, capture on. */
    public static Spec spec() {
        return new Spec(Nic.E1000, null, 256, null, true);
    }

    private final String name;
    private final String tap;
    private final String mac;
    private final LabProcess qemu;
    private final Path console;
    private final Path pcap;
    private final long started;

    LabVm(String name, String tap, String mac, LabProcess qemu, Path console, Path pcap, long started) {
        this.name = name;
        this.tap = tap;
        this.mac = mac;
        this.qemu = qemu;
        this.console = console;
        this.pcap = pcap;
        this.started = started;
    }

    public String name() {
        return name;
    }

    /** The tap device on the lab's bridge. */
    public String tap() {
        return tap;
    }

    /** The NIC's MAC, lower case with colons, as dnsmasq logs it. */
    public String mac() {
        return mac;
    }

    /** QEMU's process: its command line, PID and output (QEMU's own warnings). */
    public LabProcess qemu() {
        return qemu;
    }

    public boolean isAlive() {
        return qemu.isAlive();
    }

    /** The serial console file. */
    public Path consoleLog() {
        return console;
    }

    /** The frames of the NIC (pcap), or null if capture is off. */
    public Path pcap() {
        return pcap;
    }

    /** What the NIC sent and received so far; empty if capture is off. */
    public Capture capture() {
        return pcap == null ? Capture.empty() : Capture.read(pcap);
    }

    /** Time since QEMU was started. */
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** The raw serial console so far (Latin-1), ANSI sequences and backspaces included. */
    public String console() {
        try {
            return Files.exists(console) ? new String(Files.readAllBytes(console), StandardCharsets.ISO_8859_1)
                    : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The serial console as text: ANSI sequences removed, backspaces applied, carriage returns dropped. */
    public String screen() {
        return screenText(console());
    }

    /**
     * Waits until the console shows {@code marker} (in {@link #screen()}) and returns the time since QEMU started.
     * Fails with {@link #describe()} when QEMU ends first or {@code timeout} passes; QEMU stays up either way.
     */
    public Duration waitFor(String marker, Duration timeout) {
        return waitForAny(List.of(marker), timeout).elapsed();
    }

    /** What {@link #waitForAny} saw first, and when. */
    public record Seen(String marker, Duration elapsed) {
    }

    /** Waits until the console shows one of {@code markers}; fails as {@link #waitFor} does. */
    public Seen waitForAny(List<String> markers, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean exited = !qemu.isAlive();  // before reading: a marker written just before exit counts
            String screen = screen();
            for (String marker : markers) {
                if (screen.contains(marker)) {
                    return new Seen(marker, elapsed());
                }
            }
            if (exited || System.nanoTime() - deadline >= 0) {
                throw new AssertionError("VM " + name + ": none of " + markers + " on its console "
                        + (exited ? "before QEMU ended" : "within " + timeout) + "\n" + describe());
            }
            LabProcess.sleep(POLL);
        }
    }

    /** QEMU's command line, what QEMU printed, the DHCP messages captured and the end of the console. */
    public String describe() {
        String screen = screen();
        String tail = screen.length() <= 4000 ? screen : "..." + screen.substring(screen.length() - 4000);
        String printed = qemu.logText().strip();
        return "QEMU (" + elapsed().toMillis() + " ms, " + (qemu.isAlive() ? "running" : "ended") + "): "
                + String.join(" ", qemu.command())
                + (printed.isEmpty() ? "" : "\nQEMU printed: " + printed)
                + (pcap == null ? "" : "\nDHCP and TFTP on the wire (" + pcap + "):\n" + capture().describeDhcp())
                + "console (" + console + "), last 4000 characters:\n" + tail;
    }

    /** Stops QEMU by its PID (SIGTERM, then SIGKILL). The lab does it at close too. */
    public void kill() {
        qemu.close();
    }

    @Override
    public void close() {
        kill();
    }

    static String screenText(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == 0x1b) {
                if (i + 1 < raw.length() && raw.charAt(i + 1) == '[') {
                    int j = i + 2;
                    while (j < raw.length() && !Character.isLetter(raw.charAt(j))) {
                        j++;
                    }
                    i = j;  // skip CSI ... final letter
                } else {
                    i++;  // ESC c and other two-character sequences
                }
            } else if (c == '\b') {
                if (!out.isEmpty() && out.charAt(out.length() - 1) != '\n') {
                    out.setLength(out.length() - 1);
                }
            } else if (c != '\r') {
                out.append(c);
            }
        }
        return out.toString();
    }
}
