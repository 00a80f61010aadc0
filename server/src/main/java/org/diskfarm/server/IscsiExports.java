package org.diskfarm.server;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.StorageException;
import org.diskfarm.farm.ChapSecret;
import org.diskfarm.farm.ChapSecrets;
import org.diskfarm.farm.MacAddress;
import org.diskfarm.iscsi.IscsiChap;
import org.diskfarm.iscsi.IscsiTargetInfo;
import org.diskfarm.iscsi.IscsiTargetOpener;
import org.diskfarm.iscsi.IscsiTargets;
import org.diskfarm.iscsi.scsi.ScsiIdentity;
import org.diskfarm.vhd.Vhd;

/**
 * The iSCSI face of {@link Exports}: the same exports under iSCSI target names, with the same rules (Private-mode
 * lock, Standard mode read-only by vDisk name, a device through its own write cache):
 * <ul>
 *   <li>{@code iqn.2026-11.org.diskfarm:vdisk.NAME} for a vDisk (NAME in lower case, characters an iSCSI name does not
 *       allow as {@code -});</li>
 *   <li>{@code iqn.2026-11.org.diskfarm:device.525400123456} for a target device (its MAC without colons).</li>
 * </ul>
 * A target needs CHAP if {@code DATA/chap-secrets.csv} names it (by vDisk name or device MAC) or has a {@code *} line.
 * LUN 0's identity (VPD 80h/83h) comes from the vDisk's VHD unique id and version, and for a device also its MAC, so
 * that every server holding the same vDisk version shows the same disk and a device that reconnects elsewhere finds
 * it again.
 */
final class IscsiExports implements IscsiTargets, IscsiTargetOpener {
    static final String PREFIX = "iqn.2026-11.org.diskfarm:";
    static final String VDISK = PREFIX + "vdisk.";
    static final String DEVICE = PREFIX + "device.";

    private final Exports exports;
    private final ChapSecrets chap;

    IscsiExports(Exports exports, ChapSecrets chap) {
        this.exports = exports;
        this.chap = chap;
    }

    /** The target name of an NBD export name (a vDisk name or a MAC address). */
    static String targetName(String export) {
        Optional<MacAddress> mac = MacAddress.tryParse(export);
        if (mac.isPresent()) {
            return DEVICE + mac.get().toString().replace(":", "");
        }
        StringBuilder name = new StringBuilder(VDISK);
        for (char c : export.toLowerCase(Locale.ROOT).toCharArray()) {
            name.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ? c : '-');
        }
        return name.toString();
    }

    @Override
    public List<String> names() {
        List<String> names = new ArrayList<>();
        for (String export : exports.names()) {
            names.add(targetName(export));
        }
        return names;
    }

    /** The export behind a target name, if any: a device by its MAC, a vDisk by the name it maps to. */
    Optional<String> export(String target) {
        String name = target.toLowerCase(Locale.ROOT);
        if (name.startsWith(DEVICE)) {
            String hex = name.substring(DEVICE.length());
            if (hex.length() != 12) {
                return Optional.empty();
            }
            StringBuilder mac = new StringBuilder();
            for (int i = 0; i < 12; i += 2) {
                mac.append(i == 0 ? "" : ":").append(hex, i, i + 2);
            }
            return MacAddress.tryParse(mac.toString()).map(MacAddress::toString);
        }
        if (!name.startsWith(VDISK)) {
            return Optional.empty();
        }
        return exports.names().stream().filter(e -> MacAddress.tryParse(e).isEmpty())
                .filter(e -> targetName(e).equals(name)).findFirst();
    }

    @Override
    public Optional<IscsiTargetInfo> lookup(String name) {
        Optional<String> export = export(name);
        if (export.isEmpty()) {
            return Optional.empty();
        }
        Optional<Exports.Target> found = exports.available(export.get());
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Exports.Target target = found.get();
        String alias = target.device() != null ? target.device().name() : target.files().name();
        Optional<ChapSecret> secret = target.device() != null ? chap.forDevice(target.device().mac())
                : chap.forVDisk(target.files().name());
        return Optional.of(new IscsiTargetInfo(targetName(export.get()), alias, identity(target),
                secret.map(c -> new IscsiChap(c.user(), c.secret(), c.targetUser(), c.targetSecret())).orElse(null)));
    }

    /**
     * The vDisk's identity for its own target; for a device target one derived from the vDisk's and the device's, since
     * each device sees its own disk (the vDisk with the device's writes), the same on every server.
     */
    private static ScsiIdentity identity(Exports.Target target) {
        UUID vdisk = Vhd.info(target.files().vhd()).uniqueId();
        if (target.device() == null) {
            return ScsiIdentity.derive(vdisk, target.properties().version(), target.files().name());
        }
        ByteBuffer key = ByteBuffer.allocate(24).putLong(vdisk.getMostSignificantBits())
                .putLong(vdisk.getLeastSignificantBits()).putLong(target.device().mac().value());
        return ScsiIdentity.derive(UUID.nameUUIDFromBytes(key.array()), target.properties().version(),
                target.device().name());
    }

    @Override
    public BlockDevice open(String target, String initiatorName, SocketAddress initiator) {
        String export = export(target).orElseThrow(() -> new StorageException(StorageException.Kind.NOT_FOUND,
                "target " + target + " is gone"));
        return exports.open(export, initiator);
    }
}
