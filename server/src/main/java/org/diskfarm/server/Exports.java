package org.diskfarm.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.StorageException;
import org.diskfarm.farm.DeviceDirectory;
import org.diskfarm.farm.MacAddress;
import org.diskfarm.farm.TargetDevice;
import org.diskfarm.nbd.NbdExportInfo;
import org.diskfarm.nbd.NbdExportOpener;
import org.diskfarm.nbd.NbdExports;
import org.diskfarm.store.LockHolder;
import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskLock;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdOptions;

/**
 * What this server exports, resolved afresh for every connection from the store folder, the vDisks' properties and
 * the device directory, so that changes apply to new connections without a restart:
 * <ul>
 *   <li>a vDisk by its name: in Private mode the vDisk itself, read-write, for one client at a time (its lock); in
 *       Standard mode read-only, shared by any number of clients;</li>
 *   <li>a target device by its MAC address ({@code 52:54:00:12:34:56}): the vDisk assigned to it, through the
 *       device's own write cache in Standard mode, or read-write under the lock in Private mode.</li>
 * </ul>
 * Protocols see it as their export table ({@link NbdExports}) and opener; it is the one place that knows what an
 * export name means, so iSCSI target names will resolve here too.
 */
final class Exports implements NbdExports, NbdExportOpener {
    private final StoreFolders store;
    private final DeviceDirectory devices;
    private final VDiskAccess access;
    private final DeviceCaches caches;
    private final Observer observer;

    /**
     * What the server wants to know about opened exports: to count their I/O per vDisk (the wrapped device is what
     * the protocol gets) and to record device states. Kept out of the connection objects.
     */
    interface Observer {
        /** Called for every device opened; returns the device the protocol uses. */
        BlockDevice opened(Target target, BlockDevice device);

        Observer NONE = (target, device) -> device;
    }

    Exports(StoreFolders store, DeviceDirectory devices, VDiskAccess access, DeviceCaches caches, Observer observer) {
        this.store = store;
        this.devices = devices;
        this.access = access;
        this.caches = caches;
        this.observer = observer;
    }

    /** What an export name resolves to now. */
    record Target(String export, VDiskFiles files, VDiskProperties properties, TargetDevice device) {
        boolean standard() {
            return properties.mode() == VDiskMode.STANDARD;
        }
    }

    /**
     * Resolves an export name.
     *
     * @return empty if no vDisk and no device has this name
     * @throws StorageException NOT_FOUND if it names a device whose vDisk is not in this server's store, CORRUPT if the
     *                          vDisk's properties file is bad
     */
    Optional<Target> resolve(String name) {
        Optional<MacAddress> mac = MacAddress.tryParse(name);
        if (mac.isPresent()) {
            Optional<TargetDevice> device = devices.find(mac.get());
            if (device.isEmpty()) {
                return Optional.empty();
            }
            VDiskFiles files = store.find(device.get().vdisk()).orElseThrow(() -> new StorageException(
                    StorageException.Kind.NOT_FOUND, device.get().describe() + " is assigned vDisk "
                    + device.get().vdisk() + ", which is not in this server's store (" + store.describe() + ")"));
            return Optional.of(new Target(mac.get().toString(), files, store.properties(files), device.get()));
        }
        return store.find(name).map(files -> new Target(files.name(), files, store.properties(files), null));
    }

    /**
     * Resolves an export name for a client about to open it: as {@link #resolve}, and a Private-mode vDisk that someone
     * holds is refused now, with who holds it, rather than when the client opens it.
     *
     * @throws StorageException BUSY if a Private-mode vDisk is locked; as {@link #resolve} otherwise
     */
    Optional<Target> available(String name) {
        Optional<Target> found = resolve(name);
        if (found.isPresent() && !found.get().standard()) {
            Optional<LockHolder> holder = VDiskLock.holder(found.get().files);
            if (holder.isPresent()) {
                throw VDiskLock.busy(found.get().files, holder.get());
            }
        }
        return found;
    }

    @Override
    public Optional<NbdExportInfo> lookup(String name) {
        Optional<Target> found = available(name);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Target target = found.get();
        boolean writable = target.device != null || !target.standard();
        // The image answers for size and limits. Standard mode asks the shared open (cheap once any device uses the
        // vDisk); Private mode opens the file read-only on its own, so that a listing never counts as a shared use
        // that would keep a Private-mode client out.
        try (BlockDevice base = target.standard() ? access.openShared(target.files)
                : Vhd.open(target.files.vhd(), VhdOptions.readOnly())) {
            boolean cache = target.device != null && target.standard();
            return Optional.of(new NbdExportInfo(target.export, describe(target), base.size(), !writable,
                    writable, writable && (cache || base.trimReadsZero()), multiConn(target, writable),
                    base.limits()));
        }
    }

    /**
     * CAN_MULTI_CONN (proto.md: every connection sees the others' writes once flushed): true for read-only exports and
     * for a device's cache, which all its connections share; false for Private mode, whose lock admits one client.
     */
    private static boolean multiConn(Target target, boolean writable) {
        return !writable || (target.device != null && target.standard());
    }

    private static String describe(Target target) {
        String mode = target.properties.mode().label();
        if (target.device == null) {
            return "vDisk " + target.files.name() + " (" + mode + (target.standard() ? ", read-only)" : ")");
        }
        String through = target.standard() ? ", " + target.properties.writeCacheType().label() + " write cache" : "";
        return target.device.describe() + ": vDisk " + target.files.name() + " (" + mode + through + ")";
    }

    @Override
    public List<String> names() {
        List<String> names = new ArrayList<>();
        for (VDiskFiles files : store.vdisks()) {
            names.add(files.name());
        }
        for (TargetDevice device : devices.all()) {
            names.add(device.mac().toString());
        }
        return names;
    }

    @Override
    public Optional<String> defaultExport() {
        return Optional.empty();
    }

    @Override
    public BlockDevice open(String export, SocketAddress client) {
        Target target = resolve(export).orElseThrow(() -> new StorageException(StorageException.Kind.NOT_FOUND,
                "export " + export + " is gone"));
        return observer.opened(target, openTarget(target, client));
    }

    private BlockDevice openTarget(Target target, SocketAddress client) {
        if (target.device == null) {
            return target.standard() ? access.openShared(target.files)
                    : access.openPrivate(target.files, clientName(client));
        }
        if (target.standard()) {
            return caches.open(target.device, target.files, target.properties);
        }
        return access.openPrivate(target.files, target.device.describe() + " at " + clientName(client));
    }

    private static String clientName(SocketAddress client) {
        if (client instanceof InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(client);
    }
}
