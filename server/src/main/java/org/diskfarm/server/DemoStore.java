package org.diskfarm.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.StorageException;
import org.diskfarm.farm.DevicesFile;
import org.diskfarm.farm.MacAddress;
import org.diskfarm.farm.TargetDevice;
import org.diskfarm.store.LocalStore;
import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.store.WriteCacheType;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdDevice;
import org.diskfarm.vhd.VhdSpec;

/**
 * What {@code serve --demo} puts in an empty data folder: vDisk {@code demo} (Private mode), vDisk {@code lab}
 * (Standard mode, RAM write cache) and two devices assigned {@code lab}. Each vDisk holds a little text at a few
 * offsets and holes elsewhere, so that reads, maps and copies show something. A folder that already holds vDisks is
 * left as it is.
 */
final class DemoStore {
    static final long SIZE = 256L << 20;
    static final String NOTE = "diskfarm demo vDisk %s: block %d\n";

    private DemoStore() {
    }

    static void prepare(Path data, PrintWriter out) {
        LocalStore store = new LocalStore(data.resolve("store"));
        try {
            Files.createDirectories(store.dir());
        } catch (IOException e) {
            throw StorageException.io(store.dir() + ": cannot create the store folder", e);
        }
        if (!store.vdisks().isEmpty()) {
            return;
        }
        create(store, "demo", VDiskProperties.DEFAULTS.withDescription("the demo vDisk in Private mode"));
        create(store, "lab", VDiskProperties.DEFAULTS.withDescription("a shared vDisk for the demo devices")
                .withMode(VDiskMode.STANDARD).withWriteCacheType(WriteCacheType.RAM).withWriteCacheSize(64L << 20));
        Path devices = data.resolve("devices.csv");
        if (!Files.exists(devices)) {
            try {
                Files.writeString(devices, DevicesFile.render(java.util.List.of(
                        new TargetDevice(MacAddress.parse("52:54:00:00:00:01"), "pc01", "lab"),
                        new TargetDevice(MacAddress.parse("52:54:00:00:00:02"), "pc02", "lab"))));
            } catch (IOException e) {
                throw StorageException.io(devices + ": cannot write", e);
            }
        }
        out.println("demo: created vDisks demo (private) and lab (standard, RAM cache) in " + store.dir()
                + ", and devices pc01, pc02 in " + devices);
    }

    private static void create(LocalStore store, String name, VDiskProperties properties) {
        VDiskFiles files = VDiskFiles.of(store.dir().resolve(name + ".vhd"));
        try (VhdDevice disk = Vhd.create(files.vhd(), VhdSpec.dynamic(SIZE))) {
            // One note every 16 MiB; the rest stays a hole.
            for (long offset = 0; offset < disk.size(); offset += 16L << 20) {
                byte[] text = String.format(NOTE, name, offset / 512).getBytes(StandardCharsets.US_ASCII);
                ByteBuffer sector = ByteBuffer.allocate(4096);
                sector.put(text).clear();
                disk.write(offset, sector, IoFlags.NONE);
            }
            disk.flush();
        }
        properties.write(files.pvp());
    }
}
