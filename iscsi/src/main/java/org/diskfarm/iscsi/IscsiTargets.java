package org.diskfarm.iscsi;

import java.util.List;
import java.util.Optional;

/**
 * The targets a server offers, as logins and discovery see them. The server implements it (one target per vDisk, one
 * per target device); the iSCSI layer only asks. Methods are called on the connection's thread during login and must
 * not block for long.
 */
public interface IscsiTargets {

    /** Target names (IQNs) in the order SendTargets=All lists them. */
    List<String> names();

    /**
     * The target with this name, or empty. iSCSI names compare case-insensitively (RFC 7143 section 4.2.7.2: names are
     * normalised to lower case). May throw a {@link org.diskfarm.block.StorageException} (for example BUSY for a
     * Private-mode vDisk another client holds); the login is then refused with its message in the log.
     */
    Optional<IscsiTargetInfo> lookup(String name);
}
