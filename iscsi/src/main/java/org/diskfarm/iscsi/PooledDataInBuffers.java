package org.diskfarm.iscsi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.diskfarm.iscsi.scsi.DataInBuffers;

/**
 * READ data in Netty's pooled direct memory: the file is read straight into it (no temporary buffer in the JDK) and
 * the socket write sends it as it is (no copy into direct memory), and nothing is zeroed first. The lease is given
 * back when the last PDU that carries the data has been written ({@link DataInSender}).
 */
final class PooledDataInBuffers implements DataInBuffers {
    static final PooledDataInBuffers INSTANCE = new PooledDataInBuffers();

    private PooledDataInBuffers() {
    }

    @Override
    public Lease lease(int bytes) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(bytes, bytes);
        return new Lease(buf.nioBuffer(0, bytes), buf::release);
    }
}
