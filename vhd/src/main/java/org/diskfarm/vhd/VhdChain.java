package org.diskfarm.vhd;

import java.nio.file.Path;

final class VhdChain {
    static VhdDevice open(Path file, VhdOptions options) {
        throw new UnsupportedOperationException("being written");
    }
}
