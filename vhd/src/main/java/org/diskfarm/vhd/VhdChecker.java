package org.diskfarm.vhd;

import java.nio.file.Path;

final class VhdChecker {
    static VhdCheckReport check(Path file, VhdOptions options) {
        throw new UnsupportedOperationException("being written");
    }
}
