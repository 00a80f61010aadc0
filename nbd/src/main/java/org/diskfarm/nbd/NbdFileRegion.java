package org.diskfarm.nbd;

import io.netty.channel.DefaultFileRegion;
import org.diskfarm.block.FileSpan;

/**
 * A {@link FileSpan} as Netty sends it: a {@link DefaultFileRegion}, so that the epoll transport uses sendfile (NIO
 * uses {@code FileChannel.transferTo}). The channel is the device's and is shared by every request: Netty's region
 * closes its channel when released, this one leaves it open. The connection keeps the device open until the write of
 * the region has completed (see {@link NbdConnectionHandler}).
 */
final class NbdFileRegion extends DefaultFileRegion {

    NbdFileRegion(FileSpan span) {
        super(span.channel(), span.position(), span.length());
    }

    /** Releases nothing: the channel belongs to the device, which closes it. */
    @Override
    protected void deallocate() {
    }
}
