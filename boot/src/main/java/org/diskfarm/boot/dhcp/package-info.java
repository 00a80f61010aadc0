/**
 * Proxy DHCP for PXE: {@link org.diskfarm.boot.dhcp.ProxyDhcpServer} tells PXE clients what to boot, alongside the
 * network's own DHCP server, which keeps handing out the addresses. {@link org.diskfarm.boot.dhcp.DhcpPacket} is the
 * strict DHCP codec it reads and writes with; {@link org.diskfarm.boot.dhcp.BootPolicy} is the seam where the farm
 * decides the boot file, and {@link org.diskfarm.boot.dhcp.IpxeChainPolicy} the standard chain from a PXE ROM to
 * iPXE to an HTTP boot script. JDK only. See docs/proxy-dhcp.md.
 */
package org.diskfarm.boot.dhcp;
