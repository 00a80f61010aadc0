package org.diskfarm.testkit.vm;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes a cpio archive in the "newc" format (magic {@code 070701}), the only format the Linux kernel unpacks as an
 * initramfs. Written here rather than with the {@code cpio} command because an initramfs needs a {@code /dev/console}
 * device node, and only root can create one on disk; in an archive it is just a header.
 *
 * <p>Every entry gets uid and gid 0 and mtime 0, so equal content gives equal bytes. Call {@link #finish()} to write
 * the trailer; the caller closes the stream.
 *
 * <p>Threads: one writer per instance.
 */
final class Cpio {
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFCHR = 0020000;

    private final OutputStream out;
    private long written;
    private int nextInode = 1;

    Cpio(OutputStream out) {
        this.out = out;
    }

    void directory(String name) {
        entry(name, S_IFDIR | 0755, 2, 0, 0, new byte[0]);
    }

    void file(String name, int permissions, byte[] content) {
        entry(name, S_IFREG | permissions, 1, 0, 0, content);
    }

    void symlink(String name, String target) {
        entry(name, S_IFLNK | 0777, 1, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    void characterDevice(String name, int permissions, int major, int minor) {
        entry(name, S_IFCHR | permissions, 1, major, minor, new byte[0]);
    }

    /** Writes the {@code TRAILER!!!} entry that ends the archive. */
    void finish() {
        entry("TRAILER!!!", 0, 1, 0, 0, new byte[0]);
    }

    private void entry(String name, int mode, int links, int rdevMajor, int rdevMinor, byte[] content) {
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        int inode = name.equals("TRAILER!!!") ? 0 : nextInode++;
        StringBuilder header = new StringBuilder("070701");
        for (long field : new long[] {inode, mode, 0, 0, links, 0, content.length, 0, 0, rdevMajor, rdevMinor,
                nameBytes.length, 0}) {
            header.append(String.format("%08x", field));
        }
        write(header.toString().getBytes(StandardCharsets.US_ASCII));
        write(nameBytes);
        pad();
        write(content);
        pad();
    }

    /** Header plus name, and the data, each end on a multiple of 4 bytes. */
    private void pad() {
        write(new byte[(int) ((4 - written % 4) % 4)]);
    }

    private void write(byte[] bytes) {
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        written += bytes.length;
    }
}
