package org.diskfarm.server;

import java.util.List;
import java.util.Optional;
import org.diskfarm.farm.DeviceDirectory;
import org.diskfarm.farm.FarmDirectory;
import org.diskfarm.farm.MacAddress;
import org.diskfarm.farm.TargetDevice;

/**
 * The farm's device directory as the exports see it: before an answer, a changed {@code devices.csv} is imported, so
 * that a device an administrator adds to the file can connect at once (as before the farm existed).
 */
final class ImportingDirectory implements DeviceDirectory {
    private final FarmDirectory farm;
    private final DevicesFileImport file;

    ImportingDirectory(FarmDirectory farm, DevicesFileImport file) {
        this.farm = farm;
        this.file = file;
    }

    @Override
    public Optional<TargetDevice> find(MacAddress mac) {
        importQuietly();
        return farm.find(mac);
    }

    @Override
    public List<TargetDevice> all() {
        importQuietly();
        return farm.all();
    }

    private void importQuietly() {
        if (!farm.stale()) {
            try {
                file.syncIfChanged();
            } catch (RuntimeException e) {
                // A bad devices.csv is logged by its reader and keeps its last good content; the farm answers.
            }
        }
    }
}
