package org.diskfarm.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The network boot services of a server (docs/network-boot.md). TFTP and proxy DHCP answer on the network, so each is
 * off unless enabled.
 *
 * @param advertiseAddress the address devices reach this server at, recorded in the farm and put into boot scripts,
 *                         SendTargets answers and DHCP offers; null: the bind address, or, when bound to every
 *                         address, the first address of an interface that is up and not loopback
 * @param tftp             serve the boot folders over TFTP
 * @param tftpPort         69 by default; 0 picks a free port (tests)
 * @param bootFolders      where TFTP looks for a file, in order: the administrator's folder, then Debian's iPXE
 * @param proxyDhcp        answer PXE clients with boot information (never addresses)
 * @param dhcpPort         67 by default
 * @param pxePort          4011 by default (PXE boot server requests)
 * @param autoAddCollection unknown devices that boot are added to this collection ... (null: not added)
 * @param autoAddVDisk     ... with this vDisk (both or neither)
 */
public record BootSettings(String advertiseAddress, boolean tftp, int tftpPort, List<Path> bootFolders,
        boolean proxyDhcp, int dhcpPort, int pxePort, String autoAddCollection, String autoAddVDisk) {
    /** Where Debian's ipxe package puts undionly.kpxe and ipxe.efi. */
    public static final Path DEBIAN_IPXE = Path.of("/usr/lib/ipxe");

    public BootSettings {
        bootFolders = List.copyOf(bootFolders);
        for (int port : new int[] {tftpPort, dhcpPort, pxePort}) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }
        if ((autoAddCollection == null) != (autoAddVDisk == null)) {
            throw new IllegalArgumentException("auto-add needs both a collection and a vDisk "
                    + "(--auto-add-collection and --auto-add-vdisk)");
        }
    }

    /** Boot scripts over HTTP only; no TFTP, no proxy DHCP, no auto-add. */
    public static BootSettings defaults(Path data) {
        return new BootSettings(null, false, 69, List.of(data.resolve("boot"), DEBIAN_IPXE), false, 67, 4011, null,
                null);
    }

    public boolean autoAdd() {
        return autoAddCollection != null;
    }

    public BootSettings withAdvertiseAddress(String address) {
        return new BootSettings(address, tftp, tftpPort, bootFolders, proxyDhcp, dhcpPort, pxePort,
                autoAddCollection, autoAddVDisk);
    }

    public BootSettings withTftp(int port) {
        return new BootSettings(advertiseAddress, true, port, bootFolders, proxyDhcp, dhcpPort, pxePort,
                autoAddCollection, autoAddVDisk);
    }

    public BootSettings withProxyDhcp(int dhcp, int pxe) {
        return new BootSettings(advertiseAddress, tftp, tftpPort, bootFolders, true, dhcp, pxe, autoAddCollection,
                autoAddVDisk);
    }

    public BootSettings withAutoAdd(String collection, String vdisk) {
        return new BootSettings(advertiseAddress, tftp, tftpPort, bootFolders, proxyDhcp, dhcpPort, pxePort,
                collection, vdisk);
    }

    @Override
    public String toString() {
        return Objects.toString(advertiseAddress) + (tftp ? " tftp:" + tftpPort : "")
                + (proxyDhcp ? " proxy-dhcp:" + dhcpPort + "/" + pxePort : "");
    }
}
