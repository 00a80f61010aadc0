package org.diskfarm.nbd;

import java.util.List;
import java.util.Optional;

/**
 * The exports a server offers, as the handshake sees them. The server implements it (vDisks by name, devices by MAC);
 * the handshake only asks. Methods may be called from the connection's thread during the handshake and must not
 * block for long; {@link #lookup} may throw a {@link org.diskfarm.block.StorageException} (for example of kind BUSY
 * for an export another client holds), which the client sees as an option error with its message.
 */
public interface NbdExports {

    /** The export with this name, or empty if there is none. Never called with the empty name. */
    Optional<NbdExportInfo> lookup(String name);

    /** Names of the exports NBD_OPT_LIST shows, in the order shown. */
    List<String> names();

    /** The export a client gets when it asks for the empty name, or empty if there is no default. */
    Optional<String> defaultExport();
}
