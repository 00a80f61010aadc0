package org.diskfarm.farm;

import java.util.Optional;

/** Which CHAP secrets guard which iSCSI target; none means the target needs no authentication. */
public interface ChapSecrets {

    /** The secret for the target of a vDisk, by its name. */
    Optional<ChapSecret> forVDisk(String vdisk);

    /** The secret for the target of a device, by its MAC address. */
    Optional<ChapSecret> forDevice(MacAddress mac);
}
