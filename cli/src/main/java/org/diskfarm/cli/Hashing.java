package org.diskfarm.cli;

import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.ContentHash;

import java.nio.file.Path;

/** The content hash of an image file, with a progress bar when someone watches. */
final class Hashing {
    private Hashing() {
    }

    /** Opens {@code file} read-only (VHD or raw) and hashes its content. */
    static ContentHash hash(Path file, String task) {
        try (BlockDevice device = DiskImages.openReadOnly(file);
             Progress progress = Progress.start(task, device.size())) {
            return ContentHash.of(device, progress);
        }
    }
}
