package org.diskfarm.testkit.vm;

import java.nio.file.Path;

/** Where the VM tests keep the boot disk and the kernel .deb between runs: target/vm-cache, or -Ddiskfarm.vm.cache. */
final class VmCache {
    private VmCache() {
    }

    static Path dir() {
        return Path.of(System.getProperty("diskfarm.vm.cache", "target/vm-cache")).toAbsolutePath();
    }
}
