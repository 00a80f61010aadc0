package org.diskfarm.boot.dhcp;

/**
 * Counts of what a {@link ProxyDhcpServer} received since it started, over both ports. Every datagram received is
 * exactly one of answered, ignored, malformed or failed, once it has been handled.
 *
 * @param received datagrams read from the sockets
 * @param answered replies sent (or handed to the network stack: UDP says no more)
 * @param ignored not ours (other DHCP traffic, non-PXE clients) or no answer from the boot policy
 * @param malformed not a well-formed DHCP message
 * @param failed the boot policy threw, or the reply could not be sent
 */
public record ProxyDhcpStats(long received, long answered, long ignored, long malformed, long failed) {
    /** Datagrams handled: answered, ignored, malformed or failed. */
    public long handled() {
        return answered + ignored + malformed + failed;
    }
}
