package org.diskfarm.testkit.net;

import org.diskfarm.testkit.ClientProcess;
import org.diskfarm.testkit.vm.VmTools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private Ethernet segment for network-boot tests, built from Linux network namespaces: a PXE client (a QEMU PC
 * with an iPXE ROM), DHCP servers, proxy DHCP, TFTP and the farm's servers all meet on it, and nothing on it can reach
 * or be reached from the machine's own network.
 *
 * <p>What {@link #create()} makes, for lab number N (1..250, per JVM; every lab has its own namespace, so the numbers
 * only keep logs apart):
 * <ul>
 *   <li>a network namespace {@code df-PID-START-N} (PID and start time, in seconds base 36, of the JVM that made it:
 *       how a later run tells a leftover from a live lab), with {@code lo} up;</li>
 *   <li>in it a bridge {@code br0} with 10.77.N.1/24 (the "router" of the segment, where {@link #startDnsmasqDhcp()}
 *       serves) and fd77:N::1/64 (so that dnsmasq can send IPv6 router advertisements: without them iPXE waits about
 *       13 s for one on every DHCP);</li>
 *   <li>per VM ({@link #startVm}) a tap device {@code tapK} on the bridge, created in the namespace with
 *       {@code ip tuntap add dev tapK mode tap}, opened by QEMU which runs in the namespace;</li>
 *   <li>per host ({@link #addFarmHost}, {@link #addHost}) a namespace of its own, {@code df-PID-START-N-TAG}, joined to
 *       the bridge by a veth pair ({@code vhK} on the bridge, {@code eth0} in the host): a second machine on the
 *       segment, whose servers bind any port, 0.0.0.0:67 included, without meeting the lab's dnsmasq;</li>
 *   <li>or, for servers that may share the lab's network stack, more addresses on {@code br0}
 *       ({@link #addFarmAddress}).</li>
 * </ul>
 * Farm addresses are 10.77.N.10 + i, DHCP leases 10.77.N.100-199.
 *
 * <p>Programs run in a namespace with {@code ip netns exec NS PROGRAM...} ({@link #start}, {@link #inNamespace});
 * the lab keeps their logs in {@link #workDir()} ({@code target/netlab/NAMESPACE} by default) and leaves them there.
 *
 * <p>{@link #close()}: stops the VMs and every process it started (SIGTERM by PID, SIGKILL after 5 s), kills by PID
 * whatever else still runs in its namespaces ({@code ip netns pids}), and deletes the host namespaces and its own
 * (the bridge, veths and taps go with them). A shutdown hook does the same if the JVM ends without close. The first
 * lab of a JVM also deletes leftovers of earlier runs ({@link #deleteStale()}): namespaces named {@code df-PID-START-...}
 * whose JVM is gone.
 *
 * <p>Needs root, /dev/net/tun, iproute2, dnsmasq, QEMU and the iPXE ROMs; {@link #unavailable()} says what is missing
 * (installing Debian packages when it can, as {@link VmTools#ensure} does) for a test to skip with.
 *
 * <p>Threads: one test thread per lab; {@link #close()} may be called from any thread, more than once.
 */
public final class NetLab implements AutoCloseable {
    public static final String BRIDGE = "br0";
    /** The ROMs QEMU loads for the two NIC models, from Debian's ipxe-qemu. */
    public static final Path E1000_ROM = Path.of("/usr/lib/ipxe/qemu/efi-e1000.rom");
    public static final Path VIRTIO_ROM = Path.of("/usr/lib/ipxe/qemu/efi-virtio.rom");
    /** iPXE as a PXE network bootstrap program, from Debian's ipxe: what a non-iPXE PXE ROM should chain to. */
    public static final Path UNDIONLY_KPXE = Path.of("/usr/lib/ipxe/undionly.kpxe");
    public static final Path IPXE_EFI = Path.of("/usr/lib/ipxe/ipxe.efi");
    /** The first host part of {@link #farmAddress}. */
    public static final int FARM_BASE = 10;

    /** What a lab runs, by Debian package. */
    public static final List<VmTools.Need> NEEDS = List.of(
            command("iproute2", "ip"),
            command("dnsmasq-base", "dnsmasq"),
            command("qemu-system-x86", "qemu-system-x86_64"),
            file("ipxe-qemu", E1000_ROM),
            file("ipxe-qemu", VIRTIO_ROM),
            file("ipxe", UNDIONLY_KPXE));

    private static final String PREFIX = "df-";
    private static final Pattern OURS = Pattern.compile("df-(\\d+)-([0-9a-z]+)-.+");
    private static final Pattern TAG = Pattern.compile("[a-z0-9]{1,10}");
    private static final AtomicInteger LABS = new AtomicInteger();
    private static Optional<String> availability;
    private static boolean staleChecked;

    private final String name;
    private final int subnet;
    private final Path workDir;
    private boolean ipv6;
    private final List<LabProcess> processes = Collections.synchronizedList(new ArrayList<>());
    private final List<LabVm> vms = Collections.synchronizedList(new ArrayList<>());
    private final List<LabHost> hosts = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger logs = new AtomicInteger();
    private final Thread hook;
    private boolean closed;

    private NetLab(String name, int subnet, Path workDir) {
        this.name = name;
        this.subnet = subnet;
        this.workDir = workDir;
        this.hook = new Thread(this::closeQuietly, "netlab-" + name);
    }

    private static VmTools.Need command(String debianPackage, String program) {
        return new VmTools.Need(debianPackage, program, need -> Shell.find(program) != null);
    }

    private static VmTools.Need file(String debianPackage, Path file) {
        return new VmTools.Need(debianPackage, file.toString(), need -> Files.isRegularFile(file));
    }

    /**
     * Empty if labs can be made here; otherwise one line saying why not, for {@code assumeTrue(false, reason)}.
     * Installs missing packages when root (once per JVM), then proves the kernel side by making and deleting a
     * namespace with a bridge and a tap device in it. The answer is kept for the JVM.
     */
    public static synchronized Optional<String> unavailable() {
        if (availability == null) {
            availability = probe();
        }
        return availability;
    }

    private static Optional<String> probe() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("network namespaces need Linux, this is " + System.getProperty("os.name"));
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("network namespaces and tap devices need root; running as "
                    + System.getProperty("user.name"));
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return Optional.of("no /dev/net/tun: tap devices cannot be made here");
        }
        Optional<String> missing = VmTools.ensure(NEEDS);
        if (missing.isPresent()) {
            return missing;
        }
        String probe = PREFIX + owner() + "-probe";
        try {
            deleteNamespace(probe, new ArrayList<>());
            Shell.ip("netns", "add", probe);
            Shell.ip("-n", probe, "link", "add", BRIDGE, "type", "bridge");
            Shell.ip("-n", probe, "tuntap", "add", "dev", "tap0", "mode", "tap");
            Shell.ip("-n", probe, "link", "set", "tap0", "master", BRIDGE);
            return Optional.empty();
        } catch (IllegalStateException e) {
            return Optional.of("cannot make a network namespace with a bridge and a tap device: " + e.getMessage());
        } finally {
            deleteNamespace(probe, new ArrayList<>());
        }
    }

    /** A new lab whose logs go to {@code target/netlab/NAMESPACE} under the working directory. */
    public static NetLab create() {
        return create(Path.of("target", "netlab").toAbsolutePath());
    }

    /** A new lab whose logs go to {@code parent/NAMESPACE}; fails if {@link #unavailable()}. */
    public static NetLab create(Path parent) {
        unavailable().ifPresent(reason -> {
            throw new IllegalStateException("cannot make a network lab: " + reason);
        });
        synchronized (NetLab.class) {
            if (!staleChecked) {
                staleChecked = true;
                List<String> deleted = deleteStale();
                if (!deleted.isEmpty()) {
                    System.err.println("netlab: deleted namespaces left by earlier runs: " + deleted);
                }
            }
        }
        int number = LABS.incrementAndGet();
        int subnet = (number - 1) % 250 + 1;
        String name = PREFIX + owner() + "-" + number;
        Path workDir = parent.resolve(name);
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + workDir + ": " + e.getMessage(), e);
        }
        Shell.ip("netns", "add", name);
        NetLab lab = new NetLab(name, subnet, workDir);
        Runtime.getRuntime().addShutdownHook(lab.hook);
        try {
            return lab.build();
        } catch (RuntimeException e) {
            lab.closeQuietly();
            throw e;
        }
    }

    private NetLab build() {
        Shell.ip("-n", name, "link", "set", "lo", "up");
        Shell.ip("-n", name, "link", "add", BRIDGE, "type", "bridge");
        Shell.ip("-n", name, "addr", "add", bridgeAddress() + "/24", "dev", BRIDGE);
        // best effort: a kernel with IPv6 off still makes a lab, without router advertisements
        ipv6 = Shell.run(List.of(Shell.require("ip", "iproute2"), "-n", name, "-6", "addr", "add",
                "fd77:" + subnet + "::1/64", "dev", BRIDGE, "nodad")).exitCode() == 0;
        Shell.ip("-n", name, "link", "set", BRIDGE, "up");
        return this;
    }

    /** The lab's namespace, for {@code ip netns exec NAME ...}. */
    public String namespace() {
        return name;
    }

    /** Where the lab keeps its logs, consoles, captures and TFTP folders; left in place at close. */
    public Path workDir() {
        return workDir;
    }

    /** N in 10.77.N.0/24. */
    public int subnetNumber() {
        return subnet;
    }

    /** {@code 10.77.N.0/24}. */
    public String subnet() {
        return address(0) + "/24";
    }

    /** 10.77.N.{@code host}. */
    public String address(int host) {
        if (host < 0 || host > 255) {
            throw new IllegalArgumentException("host part out of range: " + host);
        }
        return "10.77." + subnet + "." + host;
    }

    /** 10.77.N.1: the bridge's address in the lab's namespace, where the lab's DHCP server answers. */
    public String bridgeAddress() {
        return address(1);
    }

    /** 10.77.N.(10 + i), i from 0 to 39: farm server i's address, on a farm host or on the bridge. */
    public String farmAddress(int i) {
        if (i < 0 || i >= 40) {
            throw new IllegalArgumentException("farm server index out of 0..39: " + i);
        }
        return address(FARM_BASE + i);
    }

    /**
     * Adds {@link #farmAddress(int) farmAddress(i)}/24 to the bridge in the lab's namespace and returns it: for servers
     * started with {@link #start} that bind that address. They share the lab's network stack, and so port 67 with the
     * lab's dnsmasq: see docs/testing.md on what that means for a proxy DHCP; {@link #addFarmHost} avoids it.
     */
    public String addFarmAddress(int i) {
        String address = farmAddress(i);
        Shell.ip("-n", name, "addr", "add", address + "/24", "dev", BRIDGE);
        return address;
    }

    /** A farm host: a namespace of its own named {@code ...-farmI}, with {@link #farmAddress(int) farmAddress(i)}. */
    public LabHost addFarmHost(int i) {
        return addHost("farm" + i, farmAddress(i));
    }

    /**
     * A host on the segment in a namespace of its own, {@code NAMESPACE-TAG} (TAG: 1-10 of a-z, 0-9), with
     * {@code address}/24 on its {@code eth0}, or no IPv4 address if null (a DHCP client's host).
     */
    public LabHost addHost(String tag, String address) {
        if (!TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("host tag must be 1-10 of a-z and 0-9: " + tag);
        }
        String hostNs = name + "-" + tag;
        String veth = "vh" + hosts.size();
        LabHost host = new LabHost(this, hostNs, address);
        Shell.ip("netns", "add", hostNs);
        hosts.add(host);
        Shell.ip("-n", name, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", hostNs);
        Shell.ip("-n", name, "link", "set", veth, "master", BRIDGE);
        Shell.ip("-n", name, "link", "set", veth, "up");
        Shell.ip("-n", hostNs, "link", "set", "lo", "up");
        if (address != null) {
            Shell.ip("-n", hostNs, "addr", "add", address + "/24", "dev", "eth0");
        }
        Shell.ip("-n", hostNs, "link", "set", "eth0", "up");
        return host;
    }

    /** The hosts added so far. */
    public List<LabHost> hosts() {
        synchronized (hosts) {
            return List.copyOf(hosts);
        }
    }

    /** {@code ip netns exec NAMESPACE command...}, for a ProcessBuilder of the test's own. */
    public List<String> inNamespace(String... command) {
        return inNamespace(name, List.of(command));
    }

    static List<String> inNamespace(String namespace, List<String> command) {
        List<String> line = new ArrayList<>(List.of(Shell.require("ip", "iproute2"), "netns", "exec", namespace));
        line.addAll(command);
        return line;
    }

    /** Runs a short command in the lab's namespace and fails unless it exits 0; returns its standard output. */
    public String run(String... command) {
        return Shell.check(inNamespace(command));
    }

    /**
     * Starts a long-running program in the lab's namespace ({@code ip netns exec}), its output to {@code log} (null:
     * {@code workDir/PROGRAM-K.log}), no input. The lab stops it at close; the test may {@link LabProcess#close()}
     * it earlier. A farm server: {@code lab.start(List.of(java, "-jar", ..., "serve", ...), null)}.
     */
    public LabProcess start(List<String> command, Path log) {
        return startIn(name, command, log);
    }

    LabProcess startIn(String namespace, List<String> command, Path log) {
        checkOpen();
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        Path logFile = log != null ? log : workDir.resolve(Path.of(command.getFirst()).getFileName() + "-"
                + logs.incrementAndGet() + ".log");
        List<String> line = inNamespace(namespace, command);
        try {
            Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(logFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            LabProcess started = new LabProcess(namespace, line, process, logFile);
            processes.add(started);
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start `" + String.join(" ", line) + "`: " + e.getMessage(), e);
        }
    }

    /**
     * dnsmasq as the segment's plain DHCP server, on {@code br0} at 10.77.N.1: addresses 10.77.N.100-199 for an hour,
     * router and netmask, nothing for PXE (no boot file, no next server, no TFTP, no DNS), so that boot information can
     * only come from a proxy DHCP. Without the ping check before an offer ({@code --no-ping}, which costs 3 s per new
     * client), with IPv6 router advertisements (see the class comment).
     */
    public Dnsmasq startDnsmasqDhcp() {
        return startDnsmasqDhcp(address(100), address(199));
    }

    /** As {@link #startDnsmasqDhcp()}, with the addresses {@code first} to {@code last}. */
    public Dnsmasq startDnsmasqDhcp(String first, String last) {
        List<String> options = new ArrayList<>(List.of("--dhcp-range=" + first + "," + last + ",1h", "--no-ping"));
        if (ipv6) {
            options.addAll(List.of("--enable-ra", "--dhcp-range=::," + "constructor:" + BRIDGE + ",ra-only"));
        }
        return startDnsmasq("dhcp", options);
    }

    /**
     * dnsmasq on {@code br0} in the lab's namespace with {@code options} added to these, which every lab dnsmasq
     * gets: {@code --conf-file=/dev/null --no-hosts --no-resolv --port=0 --no-daemon --log-dhcp --log-facility=-
     * --interface=br0 --bind-interfaces --user=root --pid-file=WORKDIR/NAME.pid --dhcp-leasefile=WORKDIR/NAME.leases}.
     * {@code --bind-interfaces} makes dnsmasq set SO_REUSEADDR and SO_REUSEPORT on its port-67 socket and bind it to
     * the device, so several may share a namespace. Waits until it has started (its sockets are bound by then);
     * fails with its log if it exits first. {@code name} (letters, digits, dashes) names its files.
     */
    public Dnsmasq startDnsmasq(String name, List<String> options) {
        return startDnsmasqIn(this.name, BRIDGE, name, options);
    }

    Dnsmasq startDnsmasqIn(String namespace, String device, String label, List<String> options) {
        if (!label.matches("[A-Za-z0-9-]+")) {
            throw new IllegalArgumentException("dnsmasq name must be letters, digits and dashes: " + label);
        }
        Path leases = workDir.resolve("dnsmasq-" + label + ".leases");
        List<String> command = new ArrayList<>(List.of(Shell.require("dnsmasq", "dnsmasq-base"),
                "--conf-file=/dev/null", "--no-hosts", "--no-resolv", "--port=0", "--no-daemon", "--log-dhcp",
                "--log-facility=-", "--interface=" + device, "--bind-interfaces", "--user=root",
                "--pid-file=" + workDir.resolve("dnsmasq-" + label + ".pid"), "--dhcp-leasefile=" + leases));
        command.addAll(options);
        LabProcess process = startIn(namespace, command, workDir.resolve("dnsmasq-" + label + ".log"));
        Dnsmasq dnsmasq = new Dnsmasq(process, leases);
        dnsmasq.waitForLog("started, version", Duration.ofSeconds(10));
        return dnsmasq;
    }

    /** A VM with {@link LabVm#spec()}: e1000, the next MAC, 256 MiB. */
    public LabVm startVm() {
        return startVm(LabVm.spec());
    }

    /**
     * Adds tap device {@code tapK} to the bridge and starts QEMU on it in the lab's namespace (see {@link LabVm} for
     * the command line); returns at once, the PC booting. Its files: {@code workDir/vmK.console}, {@code vmK.pcap},
     * {@code vmK.qemu.log}.
     */
    public LabVm startVm(LabVm.Spec spec) {
        checkOpen();
        int k;
        synchronized (vms) {
            k = vms.size();
        }
        String vmName = "vm" + k;
        String tap = "tap" + k;
        String mac = spec.mac() != null ? spec.mac().toLowerCase()
                : String.format("52:54:00:77:%02x:%02x", subnet, k + 1);
        Shell.ip("-n", name, "tuntap", "add", "dev", tap, "mode", "tap");
        Shell.ip("-n", name, "link", "set", tap, "master", BRIDGE);
        Shell.ip("-n", name, "link", "set", tap, "up");
        Path console = workDir.resolve(vmName + ".console");
        Path pcap = spec.capture() ? workDir.resolve(vmName + ".pcap") : null;
        try {
            Files.deleteIfExists(console);
            if (pcap != null) {
                Files.deleteIfExists(pcap);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(Shell.require("qemu-system-x86_64", "qemu-system-x86"),
                "-name", vmName, "-nographic", "-vga", "none", "-parallel", "none", "-machine", "pc",
                "-accel", "tcg", "-m", Integer.toString(spec.memoryMiB()), "-smp", "1", "-no-reboot", "-boot", "n",
                "-serial", "file:" + console, "-monitor", "none",
                "-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no"));
        if (pcap != null) {
            command.addAll(List.of("-object", "filter-dump,id=f0,netdev=n0,file=" + pcap));
        }
        command.addAll(List.of("-device", spec.nic().qemuModel() + ",netdev=n0,mac=" + mac
                + (spec.rom() == null ? "" : ",romfile=" + spec.rom().toAbsolutePath())));
        long started = System.nanoTime();
        LabProcess qemu = startIn(name, command, workDir.resolve(vmName + ".qemu.log"));
        LabVm vm = new LabVm(vmName, tap, mac, qemu, console, pcap, started);
        vms.add(vm);
        return vm;
    }

    /** The VMs started so far. */
    public List<LabVm> vms() {
        synchronized (vms) {
            return List.copyOf(vms);
        }
    }

    /**
     * Deletes namespaces that earlier runs of these tests left behind: those named {@code df-PID-START-...} whose
     * process PID is gone or is another process (started at another time). Whatever still runs in such a namespace
     * was started by that run and is killed by PID first. Returns the names deleted.
     */
    public static List<String> deleteStale() {
        List<String> deleted = new ArrayList<>();
        String list = Shell.ip("netns", "list");
        for (String line : list.lines().toList()) {
            String namespace = line.strip().split("\\s+")[0];
            Matcher matcher = OURS.matcher(namespace);
            if (namespace.isEmpty() || !matcher.matches()) {
                continue;
            }
            long pid = Long.parseLong(matcher.group(1));
            long start = Long.parseLong(matcher.group(2), 36);
            boolean alive = ProcessHandle.of(pid).filter(handle -> startSeconds(handle) == start).isPresent();
            if (!alive) {
                List<String> problems = new ArrayList<>();
                deleteNamespace(namespace, problems);
                if (problems.isEmpty()) {
                    deleted.add(namespace);
                } else {
                    System.err.println("netlab: could not delete leftover namespace " + namespace + ": " + problems);
                }
            }
        }
        return deleted;
    }

    /** This JVM's tag in namespace names: PID and start time in seconds, base 36. */
    static String owner() {
        ProcessHandle self = ProcessHandle.current();
        return self.pid() + "-" + Long.toString(startSeconds(self), 36);
    }

    private static long startSeconds(ProcessHandle handle) {
        return handle.info().startInstant().map(Instant::getEpochSecond).orElse(0L);
    }

    /** Stops everything the lab started and deletes its namespaces; collects problems and reports them at the end. */
    @Override
    public void close() {
        List<String> problems = shutdown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down and runs the hook itself
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("network lab " + name + " did not close cleanly: "
                    + String.join("; ", problems));
        }
    }

    private void closeQuietly() {
        List<String> problems = shutdown();
        if (!problems.isEmpty()) {
            System.err.println("netlab " + name + ": " + problems);
        }
    }

    private List<String> shutdown() {
        synchronized (this) {
            if (closed) {
                return List.of();
            }
            closed = true;
        }
        List<String> problems = new ArrayList<>();
        for (LabVm vm : vms()) {
            vm.kill();
        }
        List<LabProcess> started;
        synchronized (processes) {
            started = new ArrayList<>(processes);
        }
        Collections.reverse(started);
        for (LabProcess process : started) {
            process.close();
            if (process.isAlive()) {
                problems.add("pid " + process.pid() + " (" + process.command().get(4) + ") did not end");
            }
        }
        for (LabHost host : hosts()) {
            deleteNamespace(host.namespace(), problems);
        }
        deleteNamespace(name, problems);
        return problems;
    }

    /**
     * Kills by PID whatever runs in {@code namespace} (ip netns pids), then deletes it; a namespace that does not
     * exist is no problem.
     */
    private static void deleteNamespace(String namespace, List<String> problems) {
        String ip = Shell.require("ip", "iproute2");
        if (!Files.exists(Path.of("/run/netns", namespace)) && !Files.exists(Path.of("/var/run/netns", namespace))) {
            return;
        }
        ClientProcess.Result pids = Shell.run(List.of(ip, "netns", "pids", namespace));
        for (String pid : pids.stdout().strip().split("\\s+")) {
            if (pid.matches("\\d+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(handle -> {
                    handle.destroyForcibly();
                    try {
                        handle.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (Exception e) {
                        problems.add("pid " + pid + " in " + namespace + " did not end after SIGKILL");
                    }
                });
            }
        }
        ClientProcess.Result delete = Shell.run(List.of(ip, "netns", "del", namespace));
        if (delete.exitCode() != 0) {
            problems.add(delete.describe());
        }
    }

    private synchronized void checkOpen() {
        if (closed) {
            throw new IllegalStateException("network lab " + name + " is closed");
        }
    }

    @Override
    public String toString() {
        return "network lab " + name + " (" + subnet() + ", logs in " + workDir + ")";
    }
}
