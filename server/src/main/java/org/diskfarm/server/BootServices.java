package org.diskfarm.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diskfarm.boot.tftp.BootFolder;
import org.diskfarm.boot.tftp.TftpServer;
import org.diskfarm.boot.tftp.TftpServerOptions;

/**
 * The network boot services a server runs when enabled (docs/network-boot.md): TFTP for the iPXE binaries, and proxy
 * DHCP that tells PXE clients where to find them and iPXE where its script is. Started after the listeners they point
 * to, stopped before them.
 */
final class BootServices implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BootServices.class.getName());

    private final TftpServer tftp;
    private final AutoCloseable proxyDhcp;

    private BootServices(TftpServer tftp, AutoCloseable proxyDhcp) {
        this.tftp = tftp;
        this.proxyDhcp = proxyDhcp;
    }

    static BootServices start(FarmServer server) {
        BootSettings boot = server.settings().boot();
        TftpServer tftp = null;
        AutoCloseable dhcp = null;
        try {
            if (boot.tftp()) {
                tftp = TftpServer.start(new InetSocketAddress(server.settings().bind(), boot.tftpPort()),
                        folders(boot), TftpServerOptions.DEFAULTS);
                LOG.log(System.Logger.Level.INFO, "TFTP serving {0} on {1}", boot.bootFolders(),
                        tftp.localAddress());
            }
            if (boot.proxyDhcp()) {
                dhcp = ProxyDhcp.start(server, boot);
            }
            return new BootServices(tftp, dhcp);
        } catch (IOException | RuntimeException e) {
            if (tftp != null) {
                tftp.close();
            }
            throw new IllegalArgumentException("network boot: " + e.getMessage(), e);
        }
    }

    /**
     * The boot folders that exist, the administrator's first (confined: no link may lead out of it), then Debian's iPXE
     * folder (root's, whose ipxe.efi is a link to /boot).
     */
    static BootFolder folders(BootSettings boot) {
        List<BootFolder.Folder> folders = new ArrayList<>();
        for (Path path : boot.bootFolders()) {
            if (!Files.isDirectory(path)) {
                continue;
            }
            folders.add(path.equals(BootSettings.DEBIAN_IPXE) ? BootFolder.Folder.trustingLinks(path)
                    : BootFolder.Folder.confined(path));
        }
        if (folders.isEmpty()) {
            throw new IllegalArgumentException("no boot folder exists (" + boot.bootFolders() + "); install Debian's "
                    + "ipxe package or give --boot-folder");
        }
        return new BootFolder(folders);
    }

    /** The TFTP port, or -1 when TFTP is off. */
    int tftpPort() {
        return tftp == null ? -1 : tftp.port();
    }

    @Override
    public void close() throws Exception {
        try {
            if (proxyDhcp != null) {
                proxyDhcp.close();
            }
        } finally {
            if (tftp != null) {
                tftp.close();
            }
        }
    }
}
