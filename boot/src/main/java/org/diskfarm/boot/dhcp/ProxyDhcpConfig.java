package org.diskfarm.boot.dhcp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link ProxyDhcpServer} listens and whom it names as server.
 *
 * @param serverAddress this host's address on the clients' network: option 54 of every reply, where clients send
 *     their requests to port 4011
 * @param bindAddress the address both sockets bind to; the wildcard 0.0.0.0 by default, because on Linux a socket
 *     bound to a unicast address does not receive the broadcasts (to 255.255.255.255) that clients without an address
 *     send
 * @param dhcpPort where clients broadcast DHCPDISCOVER, 67; 0 picks a free port (tests)
 * @param pxePort where clients send the ProxyDHCPREQUEST, 4011 (PXE 2.1); 0 picks a free port (tests)
 * @param dhcpReplyTo where replies from the DHCP port go instead of where RFC 2131 section 4.1 sends them (the relay
 *     in {@code giaddr}, else {@code ciaddr}, else broadcast to 255.255.255.255:68); tests set it to their client
 * @param badPacketLogInterval how long a kind of bad datagram from one source is counted, not logged, after one is
 *     logged
 * @param clock the clock of transactions and of the bad-packet log
 */
public record ProxyDhcpConfig(Inet4Address serverAddress, InetAddress bindAddress, int dhcpPort, int pxePort,
        Optional<InetSocketAddress> dhcpReplyTo, Duration badPacketLogInterval, InstantSource clock) {
    public static final int DHCP_PORT = 67;
    public static final int PXE_PORT = 4011;
    /** Where a DHCP client listens, and where replies without a relay or client address go. */
    public static final int CLIENT_PORT = 68;

    public ProxyDhcpConfig {
        Objects.requireNonNull(serverAddress);
        Objects.requireNonNull(bindAddress);
        Objects.requireNonNull(dhcpReplyTo);
        Objects.requireNonNull(badPacketLogInterval);
        Objects.requireNonNull(clock);
        if (serverAddress.isAnyLocalAddress()) {
            throw new IllegalArgumentException("the server address must be this host's address, not 0.0.0.0");
        }
        checkPort(dhcpPort);
        checkPort(pxePort);
    }

    /** A configuration for the standard ports on all interfaces, naming {@code serverAddress} in replies. */
    public static Builder builder(Inet4Address serverAddress) {
        return new Builder(serverAddress);
    }

    /**
     * A configuration for the clients on {@code nic}: its first IPv4 address is the server address. The sockets still
     * bind to the wildcard (see {@code bindAddress}), so on a host with several networks requests from all of them
     * are answered, naming this address.
     */
    public static Builder forInterface(NetworkInterface nic) {
        return nic.inetAddresses().filter(Inet4Address.class::isInstance).map(Inet4Address.class::cast)
                .findFirst().map(Builder::new)
                .orElseThrow(() -> new IllegalArgumentException(nic.getName() + " has no IPv4 address"));
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
    }

    /** Builds a {@link ProxyDhcpConfig}. Not thread-safe. */
    public static final class Builder {
        private final Inet4Address serverAddress;
        private InetAddress bindAddress = DhcpPacket.ZERO;
        private int dhcpPort = DHCP_PORT;
        private int pxePort = PXE_PORT;
        private Optional<InetSocketAddress> dhcpReplyTo = Optional.empty();
        private Duration badPacketLogInterval = Duration.ofMinutes(1);
        private InstantSource clock = InstantSource.system();

        private Builder(Inet4Address serverAddress) {
            this.serverAddress = serverAddress;
        }

        public Builder bindAddress(InetAddress address) {
            this.bindAddress = address;
            return this;
        }

        public Builder dhcpPort(int port) {
            this.dhcpPort = port;
            return this;
        }

        public Builder pxePort(int port) {
            this.pxePort = port;
            return this;
        }

        /** Sends replies from the DHCP port to {@code destination} instead (tests). */
        public Builder dhcpReplyTo(InetSocketAddress destination) {
            this.dhcpReplyTo = Optional.of(destination);
            return this;
        }

        public Builder badPacketLogInterval(Duration interval) {
            this.badPacketLogInterval = interval;
            return this;
        }

        Builder clock(InstantSource clock) {
            this.clock = clock;
            return this;
        }

        public ProxyDhcpConfig build() {
            return new ProxyDhcpConfig(serverAddress, bindAddress, dhcpPort, pxePort, dhcpReplyTo,
                    badPacketLogInterval, clock);
        }
    }
}
