package org.diskfarm.nbd;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.diskfarm.block.BlockLimits;
import org.diskfarm.block.StorageException;

/** Exports held in a map, for handshake tests; a name in {@code busy} throws BUSY as a locked vDisk would. */
final class TestExports implements NbdExports {
    static final NbdExportInfo DISK = new NbdExportInfo("disk", "the demo vDisk", 64L << 20, false, true, true,
            false, BlockLimits.DEFAULT);
    static final NbdExportInfo GOLD = new NbdExportInfo("gold", "", 1L << 30, true, false, false, true,
            new BlockLimits(4096, 4096, 32 << 20));
    static final String BUSY = "locked";

    private final Map<String, NbdExportInfo> exports = new LinkedHashMap<>();
    private final String defaultName;

    TestExports(String defaultName, NbdExportInfo... infos) {
        for (NbdExportInfo info : infos) {
            exports.put(info.name(), info);
        }
        this.defaultName = defaultName;
    }

    static TestExports standard() {
        return new TestExports("disk", DISK, GOLD);
    }

    @Override
    public Optional<NbdExportInfo> lookup(String name) {
        if (name.equals(BUSY)) {
            throw new StorageException(StorageException.Kind.BUSY, "locked.vhd is held by server a for 10.0.0.7");
        }
        return Optional.ofNullable(exports.get(name));
    }

    @Override
    public List<String> names() {
        return List.copyOf(exports.keySet());
    }

    @Override
    public Optional<String> defaultExport() {
        return Optional.ofNullable(defaultName);
    }
}
