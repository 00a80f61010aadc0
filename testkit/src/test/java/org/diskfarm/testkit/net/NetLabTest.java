package org.diskfarm.testkit.net;

import org.diskfarm.testkit.ClientProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Proves {@link NetLab} with programs we did not write: dnsmasq (DHCP, proxy DHCP, TFTP), busybox's udhcpc, QEMU
 * with Debian's iPXE ROMs and undionly.kpxe, and a JDK socket. The VM tests also record, as assertions, what QEMU's
 * iPXE ROM does in a PXE chain (docs/testing.md, "The network lab"); they print their boot times on standard output
 * (target/surefire-reports/org.diskfarm.testkit.net.NetLabTest-output.txt). Each VM test takes about 10 s.
 */
class NetLabTest {
    private static final Duration BOOT = Duration.ofSeconds(90);

    @BeforeAll
    static void lab() {
        NetLab.unavailable().ifPresent(reason -> assumeTrue(false, reason));
    }

    @Test
    void makesItsNamespacesAndRemovesThemWithEverythingInThem() {
        String lab;
        String farm;
        LabProcess sleeper;
        try (NetLab net = NetLab.create()) {
            lab = net.namespace();
            assertThat(lab).matches("df-\\d+-[0-9a-z]+-\\d+");
            LabHost host = net.addFarmHost(0);
            farm = host.namespace();
            String second = net.addFarmAddress(1);
            assertThat(namespaces()).contains(lab, farm);
            assertThat(net.run("ip", "-br", "addr", "show", NetLab.BRIDGE))
                    .contains(net.bridgeAddress() + "/24", second + "/24");
            assertThat(host.run("ip", "-br", "addr", "show", "eth0")).contains(net.farmAddress(0) + "/24");
            // the farm host reaches the bridge and the farm address on it over the veth
            host.run("busybox", "ping", "-c", "1", "-W", "5", net.bridgeAddress());
            host.run("busybox", "ping", "-c", "1", "-W", "5", second);
            sleeper = host.start(List.of("sleep", "600"), null);
            assertThat(sleeper.isAlive()).isTrue();
        }
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(namespaces()).doesNotContain(lab, farm);
    }

    @Test
    void deletesNamespacesOfRunsThatAreGoneAndKillsWhatRunsInThem() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long start = gone.toHandle().info().startInstant().map(i -> i.getEpochSecond()).orElse(1L);
        String deadOwner = "df-" + gone.pid() + "-" + Long.toString(start, 36) + "-1";
        String reusedPid = "df-" + ProcessHandle.current().pid() + "-1-1";  // our PID, another start time
        String live = "df-" + NetLab.owner() + "-999";
        List<String> made = List.of(deadOwner, reusedPid, live);
        Process leftover = null;
        try {
            for (String namespace : made) {
                Shell.ip("netns", "add", namespace);
            }
            leftover = new ProcessBuilder(NetLab.inNamespace(deadOwner, List.of("sleep", "600"))).start();
            waitUntilIn(deadOwner, leftover.pid());

            List<String> deleted = NetLab.deleteStale();

            assertThat(deleted).contains(deadOwner, reusedPid).doesNotContain(live);
            assertThat(namespaces()).doesNotContain(deadOwner, reusedPid).contains(live);
            assertThat(leftover.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            if (leftover != null) {
                leftover.destroyForcibly();
            }
            for (String namespace : made) {
                Shell.run(List.of(Shell.require("ip", "iproute2"), "netns", "del", namespace));
            }
        }
    }

    /** dnsmasq as the lab's plain DHCP server gives addresses and nothing to boot from. */
    @Test
    void plainDhcpGivesAnAddressAndNoBootInformation() {
        try (NetLab net = NetLab.create()) {
            Dnsmasq dhcp = net.startDnsmasqDhcp();
            LabHost client = net.addHost("client", null);

            ClientProcess.Result udhcpc = Shell.run(client.inNamespace("busybox", "udhcpc", "-i", "eth0", "-n", "-q",
                    "-f", "-t", "5", "-T", "1", "-s", "/bin/true"));

            assertThat(udhcpc.exitCode()).as(udhcpc.describe()).isZero();
            assertThat(udhcpc.stdout() + udhcpc.stderr()).contains("lease of 10.77." + net.subnetNumber() + ".1");
            assertThat(dhcp.logText()).contains("DHCPACK(br0) 10.77." + net.subnetNumber() + ".1")
                    .doesNotContain("bootfile-name", "tftp-server", "vendor-encap");
            assertThat(dhcp.leases()).hasSize(1);
        }
    }

    /**
     * The usual dnsmasq PXE recipe (boot file by user class: iPXE gets the script, anything else undionly.kpxe) with
     * QEMU's own iPXE ROM: the ROM says "iPXE", so it gets the script at once and undionly.kpxe is never handed out
     * by DHCP. The script then chains undionly.kpxe itself, which runs on the ROM's PXE stack, does DHCP again
     * (another transaction, user class iPXE again), fetches the script again and prints the marker.
     */
    @ParameterizedTest
    @EnumSource(LabVm.Nic.class)
    void theIpxeRomChainsUndionlyWithDnsmasqInPxeMode(LabVm.Nic nic) throws IOException {
        try (NetLab net = NetLab.create()) {
            String marker = "NETLAB-" + token();
            String server = net.bridgeAddress();
            Path tftp = tftpRoot(net, "tftp", chainScript(marker, server));
            Dnsmasq dnsmasq = net.startDnsmasq("pxe", List.of(
                    "--dhcp-range=" + net.address(100) + "," + net.address(199) + ",1h", "--no-ping",
                    "--enable-ra", "--dhcp-range=::,constructor:br0,ra-only",
                    "--enable-tftp", "--tftp-root=" + tftp,
                    "--dhcp-userclass=set:ipxe,iPXE",
                    "--dhcp-boot=tag:!ipxe,undionly.kpxe",
                    "--dhcp-boot=tag:ipxe,tftp://" + server + "/boot.ipxe"));

            LabVm vm = net.startVm(LabVm.spec().withNic(nic));
            Duration elapsed = vm.waitFor(marker, BOOT);
            System.out.println("PXE mode, " + nic + ": ROM -> script -> undionly.kpxe -> script -> marker in "
                    + elapsed.toMillis() + " ms\n" + vm.capture().describeDhcp());

            Capture capture = vm.capture();
            Capture.Dhcp first = capture.dhcp().getFirst();
            assertThat(first.typeName()).isEqualTo("DISCOVER");
            assertThat(first.text(Capture.USER_CLASS)).isEqualTo("iPXE");
            assertThat(first.text(Capture.VENDOR_CLASS)).isEqualTo("PXEClient:Arch:00000:UNDI:002001");
            assertThat(capture.dhcp()).filteredOn(m -> !m.fromClient())
                    .allSatisfy(m -> assertThat(m.bootFile()).isEqualTo("tftp://" + server + "/boot.ipxe"));
            assertThat(capture.tftpReads()).extracting(Capture.TftpRead::file)
                    .containsExactly("boot.ipxe", "undionly.kpxe", "boot.ipxe");
            assertThat(clientTransactions(capture, "DISCOVER")).hasSize(2);
            assertThat(vm.screen()).contains("NETLAB-STAGE " + nicChip(nic), "NETLAB-STAGE undionly");
            assertThat(dnsmasq.logText()).contains("user class: iPXE", "sent " + tftp.resolve("undionly.kpxe"));
            assertThat(dnsmasq.countLog("DHCPACK(br0)")).isEqualTo(2);
        }
    }

    /**
     * The lead's set-up with dnsmasq in both roles: the segment's plain DHCP server (addresses only) on the bridge,
     * and a proxy DHCP with its own TFTP on a farm host (10.77.N.10, its own namespace). The proxy's offer names the
     * next server and the boot file, so iPXE takes it from the offer and sends no ProxyDHCPREQUEST to port 4011.
     */
    @Test
    void theIpxeRomBootsFromAProxyDhcpBesideAPlainDhcpServer() throws IOException {
        LabVm stopped;
        Dnsmasq stoppedProxy;
        try (NetLab net = NetLab.create()) {
            String marker = "NETLAB-" + token();
            Dnsmasq dhcp = net.startDnsmasqDhcp();
            LabHost farm = net.addFarmHost(0);
            String server = farm.address();
            Path tftp = tftpRoot(net, "farm0-tftp", chainScript(marker, server));
            Dnsmasq proxy = farm.startDnsmasq("proxy", proxyOptions(net, tftp, server, true));

            LabVm vm = net.startVm();
            Duration elapsed = vm.waitFor(marker, BOOT);
            System.out.println("plain DHCP + proxy DHCP on a farm host: marker in " + elapsed.toMillis() + " ms\n"
                    + vm.capture().describeDhcp());

            Capture capture = vm.capture();
            List<Capture.Dhcp> offers = capture.dhcp().stream().filter(m -> m.typeName().equals("OFFER")).toList();
            assertThat(offers).anySatisfy(offer -> {
                assertThat(offer.source()).isEqualTo(net.bridgeAddress());
                assertThat(offer.yiaddr()).startsWith("10.77." + net.subnetNumber() + ".1");
                assertThat(offer.bootFile()).isEmpty();
            });
            assertThat(offers).anySatisfy(offer -> {
                assertThat(offer.source()).isEqualTo(server);
                assertThat(offer.yiaddr()).isEqualTo("0.0.0.0");
                assertThat(offer.siaddr()).isEqualTo(server);
                assertThat(offer.text(Capture.VENDOR_CLASS)).isEqualTo("PXEClient");
                assertThat(offer.file()).isEqualTo("tftp://" + server + "/boot.ipxe");
            });
            assertThat(capture.dhcp()).noneMatch(m -> m.destPort() == 4011 || m.sourcePort() == 4011);
            assertThat(capture.tftpReads()).extracting(Capture.TftpRead::server).containsOnly(server);
            assertThat(clientTransactions(capture, "DISCOVER")).hasSize(2);
            assertThat(dhcp.countLog("DHCPACK(br0)")).isEqualTo(2);
            assertThat(proxy.logText()).contains("PXE(eth0) " + vm.mac() + " proxy");
            // ${next-server} in the script is the plain server's siaddr; ${proxydhcp/next-server} the proxy's
            assertThat(vm.screen()).contains("NETLAB-STAGE 82540em 10.77." + net.subnetNumber() + ".1",
                    " " + net.bridgeAddress() + " " + server + "\n");
            stopped = vm;
            stoppedProxy = proxy;
        }
        assertThat(stopped.isAlive()).as("QEMU after close").isFalse();
        assertThat(stoppedProxy.isAlive()).as("dnsmasq on the farm host after close").isFalse();
        assertThat(namespaces()).noneMatch(name -> name.startsWith("df-" + NetLab.owner() + "-"));
    }

    /**
     * The trap for a proxy DHCP: dnsmasq's proxy mode with a boot file but no next server ({@code --dhcp-boot=FILE})
     * sends siaddr 0.0.0.0. iPXE takes a ProxyDHCP answer only if it has a next server and a boot file, or a PXE
     * boot menu (dhcp_has_pxeopts in iPXE's net/udp/dhcp.c); so it sends ProxyDHCPREQUESTs to port 4011, drops the
     * answers (which lack siaddr too), gives up after 2 s and has nothing to boot.
     */
    @Test
    void theIpxeRomIgnoresAProxyOfferWithoutNextServer() throws IOException {
        try (NetLab net = NetLab.create()) {
            String marker = "NETLAB-" + token();
            net.startDnsmasqDhcp();
            LabHost farm = net.addFarmHost(0);
            Path tftp = tftpRoot(net, "farm0-tftp", chainScript(marker, farm.address()));
            farm.startDnsmasq("proxy", proxyOptions(net, tftp, farm.address(), false));

            LabVm vm = net.startVm();
            LabVm.Seen seen = vm.waitForAny(List.of("Nothing to boot", marker), BOOT);
            System.out.println("proxy offer without next server: \"" + seen.marker() + "\" after "
                    + seen.elapsed().toMillis() + " ms\n" + vm.capture().describeDhcp());

            assertThat(seen.marker()).isEqualTo("Nothing to boot");
            Capture capture = vm.capture();
            assertThat(capture.dhcp()).anySatisfy(m -> {
                assertThat(m.fromClient()).isTrue();
                assertThat(m.destination()).isEqualTo(farm.address());
                assertThat(m.destPort()).isEqualTo(4011);
            });
            assertThat(capture.dhcp()).filteredOn(m -> m.sourcePort() == 4011).isNotEmpty()
                    .allSatisfy(ack -> assertThat(ack.siaddr()).isEqualTo("0.0.0.0"));
            assertThat(capture.tftpReads()).isEmpty();
        }
    }

    /**
     * Two DHCP servers and a JDK socket on port 67 of one network stack (the lab's namespace): dnsmasq with
     * --bind-interfaces sets SO_REUSEADDR and SO_REUSEPORT and binds to the device, so two of them share the port; a
     * JDK DatagramChannel joins them with SO_REUSEADDR (or SO_REUSEPORT), not without. A broadcast DHCPDISCOVER
     * reaches every socket; a unicast datagram to 10.77.N.1:67 reaches only one of them. On a farm host (a
     * namespace of its own) a plain bind of 0.0.0.0:67 works.
     */
    @Test
    void dhcpServersShareUdpPort67OnOneHostWithReuseOptions() {
        try (NetLab net = NetLab.create()) {
            Dnsmasq dhcp = net.startDnsmasqDhcp();
            Dnsmasq proxy = net.startDnsmasq("proxy", List.of("--dhcp-range=" + net.address(0) + ",proxy",
                    "--dhcp-boot=tag:!nothing,boot.ipxe,," + net.bridgeAddress()));
            LabHost client = net.addHost("client", net.address(50));
            String clientMac = client.run("cat", "/sys/class/net/eth0/address").strip();

            String plain = probe(net, "0.0.0.0", "plain", Duration.ofMillis(200), () -> { });
            assertThat(plain).contains("BIND-FAILED", "Address already in use");

            String withReuseAddress = probe(net, "0.0.0.0", "addr", Duration.ofSeconds(4), () -> client.run(
                    "busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", "1", "-T", "1", "-s", "/bin/true"));
            assertThat(withReuseAddress).contains("BOUND /0.0.0.0:67 SO_REUSEADDR=true", "RECEIVED 300 bytes from "
                    + "/0.0.0.0:68");
            assertThat(dhcp.logText()).contains("DHCPDISCOVER(br0) " + clientMac);

            long dhcpBefore = dhcp.countLog("DHCPDISCOVER(br0) 02:4e:4c");
            long proxyBefore = proxy.countLog("PXE(br0) 02:4e:4c");
            String unicast = probe(net, "0.0.0.0", "addr,port", Duration.ofSeconds(4), () -> client.run(
                    PortProbe.command("send", net.address(50), net.bridgeAddress(), "67", "8", "02:4e:4c:00:00:01")
                            .toArray(String[]::new)));
            LabProcess.sleep(Duration.ofMillis(500));
            long toJava = unicast.lines().filter(line -> line.startsWith("RECEIVED")).count();
            long toDhcp = dhcp.countLog("DHCPDISCOVER(br0) 02:4e:4c") - dhcpBefore;
            long toProxy = proxy.countLog("PXE(br0) 02:4e:4c") - proxyBefore;
            System.out.println("8 unicast DHCPDISCOVERs to " + net.bridgeAddress() + ":67 reached: JDK socket "
                    + "(SO_REUSEADDR+SO_REUSEPORT, bound last) " + toJava + ", plain dnsmasq " + toDhcp
                    + ", proxy dnsmasq " + toProxy);
            assertThat(toJava + toDhcp + toProxy).as("each unicast datagram reaches exactly one socket").isEqualTo(8);

            String broadcastAddress = probe(net, "255.255.255.255", "addr", Duration.ofMillis(200), () -> { });
            System.out.println("JDK bind of 255.255.255.255:67: " + broadcastAddress.lines().findFirst().orElse(""));

            LabHost farm = net.addFarmHost(0);
            LabProcess own = farm.start(PortProbe.command("listen", "0.0.0.0", "67", "plain", "200"), null);
            own.waitForExit(Duration.ofSeconds(30));
            assertThat(own.logText()).contains("BOUND /0.0.0.0:67 SO_REUSEADDR=false SO_REUSEPORT=false");
        }
    }

    /** Runs {@link PortProbe} listen in the lab's namespace, runs {@code during} once it is bound, returns its output. */
    private static String probe(NetLab net, String host, String options, Duration listen, Runnable during) {
        LabProcess probe = net.start(PortProbe.command("listen", host, "67", options,
                Long.toString(listen.toMillis())), null);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!probe.logText().contains("READY") && !probe.logText().contains("BIND-FAILED")) {
            assertThat(System.nanoTime() - deadline).as("PortProbe did not bind within 30 s: " + probe.logText())
                    .isNegative();
            LabProcess.sleep(Duration.ofMillis(50));
        }
        if (probe.logText().contains("READY")) {
            during.run();
        }
        assertThat(probe.waitForExit(Duration.ofSeconds(30))).isZero();
        return probe.logText();
    }

    private static List<String> proxyOptions(NetLab net, Path tftp, String server, boolean withNextServer) {
        return List.of("--dhcp-range=" + net.address(0) + ",proxy",
                "--enable-tftp", "--tftp-root=" + tftp,
                "--dhcp-userclass=set:ipxe,iPXE",
                "--dhcp-boot=tag:ipxe,tftp://" + server + "/boot.ipxe" + (withNextServer ? ",," + server : ""),
                "--pxe-service=tag:!ipxe,x86PC,netlab,undionly");
    }

    /**
     * The script: the ROM's iPXE (chip = the NIC's driver) chains undionly.kpxe from {@code server}; iPXE running as
     * undionly.kpxe (chip "undionly") prints the marker. The server is written in, not {@code ${next-server}}: with a
     * proxy DHCP that setting is the plain DHCP server's siaddr (dnsmasq puts its own address there), because a
     * script's {@code ${next-server}} looks in net0.dhcp before proxydhcp ({@code ${proxydhcp/next-server}} is the
     * proxy's). Lines stay under 80 characters: the console wraps them.
     */
    private static String chainScript(String marker, String server) {
        return """
                #!ipxe
                echo NETLAB-STAGE ${net0/chip} ${net0/ip} ${next-server} ${proxydhcp/next-server}
                iseq ${net0/chip} undionly && goto second ||
                chain tftp://%s/undionly.kpxe || echo NETLAB-CHAIN-FAILED
                exit
                :second
                echo %s
                """.formatted(server, marker);
    }

    private static Path tftpRoot(NetLab net, String name, String script) throws IOException {
        Path root = Files.createDirectories(net.workDir().resolve(name));
        Files.copy(NetLab.UNDIONLY_KPXE, root.resolve("undionly.kpxe"));
        Files.writeString(root.resolve("boot.ipxe"), script);
        return root;
    }

    private static Set<Long> clientTransactions(Capture capture, String type) {
        Set<Long> xids = new TreeSet<>();
        capture.dhcp().stream().filter(m -> m.fromClient() && m.typeName().equals(type))
                .forEach(m -> xids.add(m.xid()));
        return xids;
    }

    private static String nicChip(LabVm.Nic nic) {
        return nic == LabVm.Nic.E1000 ? "82540em" : "virtio-net";
    }

    private static String token() {
        byte[] bytes = new byte[4];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static List<String> namespaces() {
        List<String> names = new ArrayList<>();
        for (String line : Shell.ip("netns", "list").lines().toList()) {
            names.add(line.strip().split("\\s+")[0]);
        }
        return names;
    }

    private static void waitUntilIn(String namespace, long pid) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Shell.run(List.of(Shell.require("ip", "iproute2"), "netns", "pids", namespace)).stdout()
                .contains(Long.toString(pid))) {
            assertThat(System.nanoTime() - deadline).as("pid " + pid + " never showed in " + namespace).isNegative();
            LabProcess.sleep(Duration.ofMillis(50));
        }
    }
}
