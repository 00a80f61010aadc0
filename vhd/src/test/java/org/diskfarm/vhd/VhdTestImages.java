package org.diskfarm.vhd;

import org.diskfarm.block.IoFlags;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Small valid VHD files made with {@link Vhd#create}, with data in some blocks, as the starting point of negative,
 * property and fuzz tests: a damaged file is always a valid one with a few bytes changed, so that each test damages
 * exactly one thing.
 *
 * <p>Block size is small (64 KiB, or 4 KiB for the tiny fuzz seeds) to keep files and test runs small. The data
 * written is a pattern derived from the virtual offset, so a reader of a recovered file can tell if it reads the
 * right bytes: see {@link #patternAt(long)}.
 */
final class VhdTestImages {
    static final int BLOCK_SIZE = 64 * 1024;
    static final long DYNAMIC_SIZE = 4L << 20;
    static final long FIXED_SIZE = 1L << 20;

    private VhdTestImages() {
    }

    /** A dynamic disk of about 4 MiB with 64 KiB blocks: blocks 0, 5 (a few sectors only) and the last one written. */
    static Path dynamic(Path dir, String name) {
        Path file = dir.resolve(name);
        try (VhdDevice disk = Vhd.create(file, VhdSpec.dynamic(DYNAMIC_SIZE).withBlockSize(BLOCK_SIZE))) {
            write(disk, 0, 3 * 512);
            write(disk, 5L * BLOCK_SIZE + 7 * 512, 2 * 512);
            write(disk, disk.size() - 4096, 4096);
            disk.flush();
        }
        return file;
    }

    /** A fixed disk of about 1 MiB with data at its start and in its middle. */
    static Path fixed(Path dir, String name) {
        Path file = dir.resolve(name);
        try (VhdDevice disk = Vhd.create(file, VhdSpec.fixed(FIXED_SIZE))) {
            write(disk, 0, 4096);
            write(disk, disk.size() / 2, 1024);
            disk.flush();
        }
        return file;
    }

    /** A differencing disk over {@code parent}, with 64 KiB blocks; writes into blocks 1 and 5 (over the parent's). */
    static Path differencing(Path dir, String name, Path parent) {
        Path file = dir.resolve(name);
        try (VhdDevice disk = Vhd.create(file, VhdSpec.differencing(parent).withBlockSize(BLOCK_SIZE))) {
            write(disk, BLOCK_SIZE + 512, 512);
            write(disk, 5L * BLOCK_SIZE + 8 * 512, 4 * 512);
            disk.flush();
        }
        return file;
    }

    /** A tiny dynamic disk (64 KiB, 4 KiB blocks, two blocks written), small enough to be a raw fuzz seed. */
    static Path tinyDynamic(Path dir, String name) {
        Path file = dir.resolve(name);
        try (VhdDevice disk = Vhd.create(file, VhdSpec.dynamic(64 * 1024).withBlockSize(4096))) {
            write(disk, 512, 512);
            write(disk, 3 * 4096 + 1024, 1024);
            disk.flush();
        }
        return file;
    }

    /** A tiny fixed disk (about 16 KiB). */
    static Path tinyFixed(Path dir, String name) {
        Path file = dir.resolve(name);
        try (VhdDevice disk = Vhd.create(file, VhdSpec.fixed(16 * 1024))) {
            write(disk, 1024, 512);
            disk.flush();
        }
        return file;
    }

    static void write(VhdDevice disk, long offset, int length) {
        disk.write(offset, ByteBuffer.wrap(pattern(offset, length)), IoFlags.NONE);
    }

    /** The pattern {@link #write} puts at a virtual offset: never zero, different for every sector. */
    static byte patternAt(long offset) {
        long sector = offset / 512;
        return (byte) (1 + (sector * 31 + offset % 512) % 251);
    }

    static byte[] pattern(long offset, int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = patternAt(offset + i);
        }
        return data;
    }
}
