package org.diskfarm.server;

/** Proxy DHCP for the farm's PXE clients; wired once the boot module's proxy DHCP lands. */
final class ProxyDhcp {
    private ProxyDhcp() {
    }

    static AutoCloseable start(FarmServer server, BootSettings boot) {
        throw new UnsupportedOperationException("proxy DHCP is not wired yet");
    }
}
