package org.diskfarm.vhd;

import java.nio.file.Path;

final class VhdCreator {
    static void create(Path file, VhdSpec spec, VhdOptions options) {
        throw new UnsupportedOperationException("being written");
    }

    static long roundedSize(long requested) {
        throw new UnsupportedOperationException("being written");
    }
}
