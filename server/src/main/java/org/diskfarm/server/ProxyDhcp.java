package org.diskfarm.server;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.diskfarm.boot.dhcp.IpxeChainPolicy;
import org.diskfarm.boot.dhcp.ProxyDhcpConfig;
import org.diskfarm.boot.dhcp.ProxyDhcpServer;

/**
 * The farm's proxy DHCP (docs/proxy-dhcp.md): PXE ROMs are sent to this server's TFTP for the iPXE binary of their
 * architecture, and iPXE to this server's HTTP boot script for its MAC address; both at the advertised address.
 */
final class ProxyDhcp {
    private ProxyDhcp() {
    }

    static AutoCloseable start(FarmServer server, BootSettings boot) throws IOException {
        Inet4Address address = ipv4(server.address());
        IpxeChainPolicy policy = IpxeChainPolicy.builder(address,
                mac -> server.httpBaseUrl() + "/boot/" + mac + ".ipxe").build();
        ProxyDhcpConfig config = ProxyDhcpConfig.builder(address).dhcpPort(boot.dhcpPort()).pxePort(boot.pxePort())
                .build();
        return ProxyDhcpServer.start(config, policy);
    }

    private static Inet4Address ipv4(String text) {
        try {
            if (InetAddress.getByName(text) instanceof Inet4Address v4 && !v4.isLoopbackAddress()
                    && !v4.isAnyLocalAddress()) {
                return v4;
            }
        } catch (UnknownHostException e) {
            // reported below
        }
        throw new IllegalArgumentException("proxy DHCP needs an IPv4 address devices can reach; the advertised "
                + "address is " + text + " (set --advertise-address)");
    }
}
