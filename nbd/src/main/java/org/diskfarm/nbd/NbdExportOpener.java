package org.diskfarm.nbd;

import java.net.SocketAddress;
import org.diskfarm.block.BlockDevice;

/**
 * Opens the device behind the export a client chose with NBD_OPT_GO or NBD_OPT_EXPORT_NAME, for that one connection.
 * The connection owns the device and closes it when the connection ends; an opener that shares one device between
 * connections hands out a wrapper whose close does not close the shared device.
 *
 * <p>Called on a virtual thread: it may block (open a file, take a lock). It may throw a
 * {@link org.diskfarm.block.StorageException}; the connection is then closed with one log line.
 */
@FunctionalInterface
public interface NbdExportOpener {

    /**
     * @param export the canonical export name, as {@link NbdExports#lookup} returned it
     * @param client the client's address, for locks and logs that must say who holds what
     */
    BlockDevice open(String export, SocketAddress client);
}
