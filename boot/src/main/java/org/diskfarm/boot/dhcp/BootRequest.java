package org.diskfarm.boot.dhcp;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * What a PXE client asked, as far as choosing its boot file goes.
 *
 * @param mac the client's Ethernet address, lower case, e.g. "52:54:00:12:34:56"
 * @param arch the client's architecture from option 93 or, failing that, from "Arch:xxxxx" in its vendor class;
 *     empty if it gave neither
 * @param ipxe whether the client is iPXE: user class (77) "iPXE" or iPXE's encapsulated options (175) present
 * @param vendorClass option 60, which starts with "PXEClient"
 * @param receivedOn the local socket the request came in on: the DHCP port or the PXE port (4011), at the address the
 *     server is bound to (0.0.0.0 when bound to all)
 * @param source where the request came from (0.0.0.0:68 for a client that has no address yet)
 * @param messageType DISCOVER (on the DHCP port) or REQUEST (on the PXE port)
 */
public record BootRequest(String mac, Optional<ClientArch> arch, boolean ipxe, String vendorClass,
        InetSocketAddress receivedOn, InetSocketAddress source, DhcpMessageType messageType) {
    public BootRequest {
        Objects.requireNonNull(mac);
        Objects.requireNonNull(arch);
        Objects.requireNonNull(vendorClass);
        Objects.requireNonNull(receivedOn);
        Objects.requireNonNull(source);
        Objects.requireNonNull(messageType);
    }
}
