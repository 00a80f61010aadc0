package org.diskfarm.vhd;

import org.diskfarm.block.Extent;
import org.diskfarm.block.FileSpan;
import org.diskfarm.block.IoFlags;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random reads, writes, zeroes and trims of any alignment and length against a byte-array model, on every kind of
 * disk and in both metadata modes; the file is reopened halfway and at the end, and must then check clean.
 */
class VhdDeviceModelTest {
    private static final long SEED = 20261125L;
    /** 3 blocks of 64 KiB plus a partial one: requests cross block boundaries often. */
    private static final int SIZE = 3 * 65536 + 7 * 512;

    enum Kind { FIXED, DYNAMIC, DYNAMIC_ON_FLUSH, DIFFERENCING, DIFFERENCING_ON_FLUSH }

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void randomOperationsReadBackAsTheModelSays(Kind kind) {
        Random random = new Random(SEED + kind.ordinal());
        VhdOptions options = kind.name().endsWith("ON_FLUSH")
                ? VhdOptions.readWrite().withMetadataSync(VhdOptions.MetadataSync.ON_FLUSH) : VhdOptions.readWrite();
        Path file = dir.resolve("disk.vhd");
        byte[] model = create(kind, file, random);
        long size;
        try (VhdDevice device = Vhd.open(file, options)) {
            size = device.size();
            model = Arrays.copyOf(model, (int) size);
            exercise(device, model, random, 300);
            device.flush();
        }
        assertThat(Vhd.check(file).problems()).isEmpty();
        try (VhdDevice device = Vhd.open(file, options)) {
            assertContent(device, model);
            exercise(device, model, random, 300);
            device.flush();
            assertContent(device, model);
            assertExtentsCover(device);
            assertSpansMatchTheModel(device, model, random);
        }
        assertThat(Vhd.check(file).problems()).isEmpty();
    }

    /** Creates the disk; for a differencing disk a patterned base under it. Returns the content so far. */
    private byte[] create(Kind kind, Path file, Random random) {
        byte[] model = new byte[(int) Vhd.roundedSize(SIZE)];
        VhdSpec spec = switch (kind) {
            case FIXED -> VhdSpec.fixed(SIZE);
            case DYNAMIC, DYNAMIC_ON_FLUSH -> VhdSpec.dynamic(SIZE).withBlockSize(65536);
            case DIFFERENCING, DIFFERENCING_ON_FLUSH -> {
                Path base = dir.resolve("base.vhd");
                try (VhdDevice device = Vhd.create(base, VhdSpec.dynamic(SIZE).withBlockSize(65536))) {
                    for (int i = 0; i < 20; i++) {
                        writeRandom(device, model, random);
                    }
                }
                yield VhdSpec.differencing(base);
            }
        };
        Vhd.create(file, spec).close();
        return model;
    }

    private static void exercise(VhdDevice device, byte[] model, Random random, int operations) {
        for (int i = 0; i < operations; i++) {
            int choice = random.nextInt(10);
            if (choice < 5) {
                writeRandom(device, model, random);
            } else if (choice < 7) {
                int offset = random.nextInt(model.length);
                int length = random.nextInt(Math.min(model.length - offset, 150_000) + 1);
                ByteBuffer buffer = ByteBuffer.allocate(length);
                device.read(offset, buffer);
                assertThat(buffer.array()).isEqualTo(Arrays.copyOfRange(model, offset, offset + length));
            } else if (choice < 9) {
                int offset = random.nextInt(model.length);
                int length = random.nextInt(Math.min(model.length - offset, 140_000) + 1);
                device.zero(offset, length, random.nextBoolean() ? IoFlags.NONE : IoFlags.NO_HOLE);
                Arrays.fill(model, offset, offset + length, (byte) 0);
            } else {
                device.flush();
            }
        }
    }

    private static void writeRandom(VhdDevice device, byte[] model, Random random) {
        int offset = random.nextInt(model.length);
        int length = random.nextInt(Math.min(model.length - offset, 140_000) + 1);
        byte[] data = new byte[length];
        random.nextBytes(data);
        device.write(offset, ByteBuffer.wrap(data), random.nextInt(8) == 0 ? IoFlags.FUA : IoFlags.NONE);
        System.arraycopy(data, 0, model, offset, length);
    }

    private static void assertContent(VhdDevice device, byte[] model) {
        ByteBuffer all = ByteBuffer.allocate(model.length);
        device.read(0, all);
        assertThat(all.array()).isEqualTo(model);
    }

    /**
     * File spans (zero-copy reads) from every position a random walk reaches, at any alignment: each starts where
     * asked, covers at least one byte and no more than asked, and its file holds exactly the model's bytes there.
     */
    private static void assertSpansMatchTheModel(VhdDevice device, byte[] model, Random random) {
        long inFile = 0;
        for (long pos = random.nextInt(512); pos < model.length; ) {
            long rest = model.length - pos;
            long asked = 1 + random.nextLong(Math.min(rest, 200_000));
            FileSpan span = device.fileSpan(pos, asked);
            assertThat(span.length()).isBetween(1L, asked);
            if (span.isInFile()) {
                byte[] bytes = readSpan(span);
                assertThat(bytes).as("span at %d", pos)
                        .isEqualTo(Arrays.copyOfRange(model, (int) pos, (int) (pos + span.length())));
                inFile += span.length();
            }
            pos += span.length();
        }
        assertThat(inFile).as("bytes sent from a file").isPositive();
    }

    static byte[] readSpan(FileSpan span) {
        ByteBuffer bytes = ByteBuffer.allocate((int) span.length());
        try {
            while (bytes.hasRemaining()) {
                if (span.channel().read(bytes, span.position() + bytes.position()) < 0) {
                    throw new AssertionError("span past the end of the file: " + span);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.array();
    }

    /** Extents tile the device, and nothing reported as zero reads otherwise. */
    private static void assertExtentsCover(VhdDevice device) {
        long at = 0;
        while (at < device.size()) {
            List<Extent> extents = device.extents(at, device.size() - at);
            for (Extent extent : extents) {
                assertThat(extent.offset()).isEqualTo(at);
                if (extent.zero()) {
                    ByteBuffer bytes = ByteBuffer.allocate((int) extent.length());
                    device.read(extent.offset(), bytes);
                    assertThat(bytes.array()).containsOnly(0);
                }
                at = extent.end();
            }
        }
    }
}
