package org.diskfarm.server;

import java.util.List;
import java.util.Optional;
import org.diskfarm.farm.Devices;
import org.diskfarm.farm.DevicesFile;
import org.diskfarm.farm.Farm;
import org.diskfarm.farm.FarmException;
import org.diskfarm.farm.TargetDevice;

/**
 * {@code DATA/devices.csv}, the hand-edited device list of a server without a farm, as a way into the farm: when the
 * file changes (and at start-up), devices it lists that the farm does not know are added, and devices whose name or
 * vDisk differ are changed. The farm stays the truth: a device removed through the API stays removed until the file
 * changes again, and a line naming a vDisk the farm does not know is skipped with one warning.
 */
final class DevicesFileImport {
    private static final System.Logger LOG = System.getLogger(DevicesFileImport.class.getName());

    private final DevicesFile file;
    private final Farm farm;
    private final String actor;
    private final java.util.Set<String> warned = new java.util.HashSet<>();
    private List<TargetDevice> imported;

    DevicesFileImport(DevicesFile file, Farm farm, String server) {
        this.file = file;
        this.farm = farm;
        this.actor = "server " + server + " (" + file.file().getFileName() + ")";
    }

    /**
     * Imports the file if it changed since the last import. Cheap when it did not (a stat of the file and an identity
     * check: {@link DevicesFile#all} returns the same list until the file changes), since every connection asks.
     */
    synchronized void syncIfChanged() {
        List<TargetDevice> now = file.all();
        if (now == imported) {
            return;
        }
        try {
            boolean all = true;
            for (TargetDevice device : now) {
                all &= sync(device);
            }
            // A line that could not be imported (its vDisk is not in the farm yet) is tried again next time.
            imported = all ? now : null;
        } catch (FarmException e) {
            if (e.kind() != FarmException.Kind.UNAVAILABLE) {
                throw e;
            }
            // Tried again at the next beat, once the database answers.
        }
    }

    private boolean sync(TargetDevice device) {
        Optional<Devices.Info> known = farm.devices().find(device.mac());
        try {
            if (known.isEmpty()) {
                farm.devices().add(List.of(new Devices.New(device.mac().toString(), device.name(), "", null,
                        device.vdisk())), actor);
            } else if (!device.name().equals(known.get().name()) || !device.vdisk().equals(known.get().vdisk())) {
                farm.devices().update(device.mac(), new Devices.Change(device.name(), null, null,
                        Optional.of(device.vdisk())), actor);
            }
            return true;
        } catch (FarmException e) {
            if (e.kind() == FarmException.Kind.UNAVAILABLE) {
                throw e;
            }
            if (warned.add(device.mac() + e.getMessage())) {
                LOG.log(System.Logger.Level.WARNING, "{0}: {1} not imported: {2}", file.file(), device.describe(),
                        e.getMessage());
            }
            return false;
        }
    }
}
