package org.diskfarm.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.diskfarm.boot.IpxeScript;
import org.diskfarm.farm.Farm;
import org.diskfarm.farm.Servers;
import org.diskfarm.farm.TargetDevice;
import org.diskfarm.farm.VDisks;

/**
 * Which servers a device may boot from: every server that is up and holds an in-sync copy of the device's vDisk, the
 * least busy first (the server answering the request wins ties, so a small farm boots where it asked); see
 * {@link #inSync} for which copies count.
 *
 * <p>Each path names the server's advertised address (recorded in the farm), never an address a device cannot reach.
 */
final class BootPaths {
    private BootPaths() {
    }

    static List<IpxeScript.SanPath> of(Farm farm, String self, TargetDevice device) {
        VDisks.Info vdisk = farm.vdisks().find(device.vdisk()).orElse(null);
        if (vdisk == null) {
            return List.of();
        }
        Set<String> holders = inSync(vdisk);
        List<Servers.Info> servers = new ArrayList<>(farm.servers().list().stream()
                .filter(s -> s.up() && holders.contains(s.name())).toList());
        servers.sort(Comparator.comparingInt(Servers.Info::devices)
                .thenComparing(s -> !s.name().equals(self))
                .thenComparing(Servers.Info::name));
        String target = IscsiExports.targetName(device.mac().toString());
        return servers.stream().map(s -> new IpxeScript.SanPath(s.address(), s.iscsiPort(), 0, target)).toList();
    }

    /**
     * The servers whose copy of the vDisk's base (version 0) is in sync: whose content hash is that of the newest
     * hashed copy (an image changed on one server makes the others stale until they have it too). While no copy has
     * been hashed yet, every copy of the vDisk's size counts.
     */
    static Set<String> inSync(VDisks.Info vdisk) {
        List<VDisks.Copy> base = vdisk.copies().stream().filter(c -> c.version() == 0).toList();
        Optional<String> reference = base.stream().filter(c -> c.contentHash() != null)
                .max(Comparator.comparing(VDisks.Copy::modifiedAt).thenComparing(VDisks.Copy::server))
                .map(VDisks.Copy::contentHash);
        if (reference.isEmpty()) {
            return base.stream().filter(c -> c.size() == vdisk.size()).map(VDisks.Copy::server)
                    .collect(Collectors.toSet());
        }
        return base.stream().filter(c -> reference.get().equals(c.contentHash())).map(VDisks.Copy::server)
                .collect(Collectors.toSet());
    }

    /** The initiator name a device logs in with: stable, derived from its MAC address. */
    static String initiatorName(TargetDevice device) {
        return IscsiExports.PREFIX + "initiator." + device.mac().bare();
    }
}
