package org.diskfarm.boot.tftp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * What the TFTP server can send: it maps a requested name to a file. {@link BootFolder} serves folders on disk; the
 * farm can add generated content (per-device boot scripts) by implementing this and falling back to a
 * {@code BootFolder}.
 *
 * <p>Threads: called on virtual threads, several at once; an implementation may block (read a database) but should
 * answer within the client's retransmission timeout (a second or so), or the client asks again.
 */
@FunctionalInterface
public interface TftpFiles {
    /**
     * Opens the file the client asked for, exactly as it appears in the request.
     *
     * @param name   the requested name as sent, not checked: an implementation decides what is allowed
     * @param client the address and port the request came from
     * @return the open file, which the server closes; empty if there is no such file (ERROR 1 to the client)
     * @throws TftpRefusal to answer with another ERROR code and message (access violation for names outside the
     *                     folder)
     * @throws IOException if the file exists but cannot be opened (ERROR 0 to the client, logged)
     */
    Optional<TftpFile> open(String name, InetSocketAddress client) throws TftpRefusal, IOException;
}
