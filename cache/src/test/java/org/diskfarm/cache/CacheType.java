package org.diskfarm.cache;

import java.nio.file.Path;
import org.diskfarm.block.BlockDevice;

/** The three caches, made for tests; the overflow cache gets little RAM so that most chunks go to its file. */
enum CacheType {
    RAM {
        @Override
        ChunkWriteCache create(BlockDevice base, Path dir, String name) {
            return WriteCaches.ram(name, base, 64L << 20);
        }
    },
    RAM_OVERFLOW {
        @Override
        ChunkWriteCache create(BlockDevice base, Path dir, String name) {
            return WriteCaches.ramOverflow(base, 64 << 10, dir.resolve(name + ".vhd"), 64L << 20);
        }
    },
    SERVER_DISK {
        @Override
        ChunkWriteCache create(BlockDevice base, Path dir, String name) {
            return WriteCaches.serverDisk(base, dir.resolve(name + ".vhd"));
        }
    };

    abstract ChunkWriteCache create(BlockDevice base, Path dir, String name);
}
