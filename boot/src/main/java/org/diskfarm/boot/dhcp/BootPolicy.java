package org.diskfarm.boot.dhcp;

import java.util.Optional;

/**
 * Decides what a PXE client boots: the one decision {@link ProxyDhcpServer} does not make. The server asks once per
 * client transaction (a DHCP exchange, named by MAC address and {@code xid}) and gives retransmissions of the same
 * transaction the same answer; an empty answer means the proxy stays silent and the client boots as if it were not
 * there.
 *
 * <p>Threads: called from the server's receiving threads, two at once (port 67 and port 4011): implementations must be
 * thread-safe. It must not block for long (a PXE ROM waits a few seconds for offers) and should not throw; if it
 * does, the request goes unanswered and the failure is logged.
 */
@FunctionalInterface
public interface BootPolicy {
    Optional<BootAnswer> answer(BootRequest request);
}
