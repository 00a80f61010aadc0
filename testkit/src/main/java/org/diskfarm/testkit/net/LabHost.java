package org.diskfarm.testkit.net;

import java.nio.file.Path;
import java.util.List;

/**
 * A second machine on the lab's network: its own network namespace (its own interfaces, routes and ports, so its
 * servers may bind 0.0.0.0:67 without meeting anyone else's), joined to the lab's bridge by a veth pair — {@code eth0}
 * here, {@code vhK} on the bridge in the lab's namespace. A farm host ({@link NetLab#addFarmHost}) has a static
 * address; a client host ({@link NetLab#addHost} with a null address) has only its link, for a DHCP client such as
 * {@code busybox udhcpc -i eth0}.
 *
 * <p>The lab deletes the namespace at {@link NetLab#close()}, after stopping what runs in it.
 *
 * <p>Threads: safe.
 */
public final class LabHost {
    private final NetLab lab;
    private final String namespace;
    private final String address;

    LabHost(NetLab lab, String namespace, String address) {
        this.lab = lab;
        this.namespace = namespace;
        this.address = address;
    }

    /** The namespace's name, for {@code ip netns exec NAME ...}. */
    public String namespace() {
        return namespace;
    }

    /** Its IPv4 address on the lab's network (10.77.N.x), or null for a host without one. */
    public String address() {
        return address;
    }

    /** The name of its interface on the lab's network. */
    public String device() {
        return "eth0";
    }

    /** {@code ip netns exec NAMESPACE command...}, for a ProcessBuilder of the test's own. */
    public List<String> inNamespace(String... command) {
        return NetLab.inNamespace(namespace, List.of(command));
    }

    /** Runs a short command in this host's namespace and fails unless it exits 0; returns its standard output. */
    public String run(String... command) {
        return Shell.check(inNamespace(command));
    }

    /** Starts a long-running program in this host's namespace; see {@link NetLab#start}. */
    public LabProcess start(List<String> command, Path log) {
        return lab.startIn(namespace, command, log);
    }

    /** Starts dnsmasq on {@code eth0} in this host's namespace; see {@link NetLab#startDnsmasq}. */
    public Dnsmasq startDnsmasq(String name, List<String> options) {
        return lab.startDnsmasqIn(namespace, device(), name, options);
    }

    @Override
    public String toString() {
        return namespace + (address == null ? "" : " " + address);
    }
}
