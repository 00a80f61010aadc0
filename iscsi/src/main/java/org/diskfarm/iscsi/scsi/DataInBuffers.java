package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;

/**
 * Where a READ puts its data: the transport lends buffers it can send without copying (pooled direct memory on the
 * Netty side) and takes them back once the data is written. Without one a READ allocates a heap buffer, which the
 * JVM zeroes and the socket write copies again: measured with perf on 1 MiB sequential reads, the zeroing alone was
 * 15% of the server's CPU.
 */
@FunctionalInterface
public interface DataInBuffers {

    /** A fresh heap buffer per READ; nothing to give back. */
    DataInBuffers HEAP = bytes -> new Lease(ByteBuffer.allocate(bytes), null);

    /** A buffer of exactly {@code bytes} (position 0, limit {@code bytes}), not zeroed. */
    Lease lease(int bytes);

    /**
     * A lent buffer.
     *
     * @param release gives the buffer back (once, after the data is written or dropped); null if nothing to give back
     */
    record Lease(ByteBuffer buffer, Runnable release) {
        public void giveBack() {
            if (release != null) {
                release.run();
            }
        }
    }
}
