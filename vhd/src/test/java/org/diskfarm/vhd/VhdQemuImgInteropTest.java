package org.diskfarm.vhd;

import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.DeviceCopy;
import org.diskfarm.block.Extent;
import org.diskfarm.block.FileStorage;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.RawFileDevice;
import org.diskfarm.block.StorageFile;
import org.diskfarm.testkit.QemuImg;
import org.diskfarm.testkit.QemuImg.Subformat;
import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * VHD files are read and written the same way by diskfarm and by the real {@code qemu-img} (QEMU's {@code vpc}
 * driver), started as a process: what QEMU writes we read byte for byte as QEMU reads it, and what we write QEMU
 * reads as we wrote it. Sizes include ones that are not multiples of the 2 MiB block size, and a 100 GiB disk that
 * holds a few MiB (nothing here ever allocates it whole).
 *
 * <p>QEMU cannot create differencing VHDs, so the chain tests check our chains against a byte-array model, and round
 * trips through raw files.
 */
class VhdQemuImgInteropTest {
    private static final int MIB = 1 << 20;
    private static final long GIB = 1L << 30;
    private static final long HUGE = 100 * GIB;

    private static QemuImg qemu;

    @TempDir
    Path dir;

    @BeforeAll
    static void findQemuImg() {
        qemu = QemuImg.locate();
    }

    /** 1 MiB, an exact multiple of the block size, just past one, just short of one, and an odd byte count. */
    static Stream<Long> sizes() {
        return Stream.of((long) MIB, 4L * MIB, 3L * MIB + 512, 33L * MIB - 512, 10_000_000L);
    }

    static Stream<Arguments> qemuFormats() {
        return sizes().flatMap(size -> Stream.of(Subformat.values()).flatMap(subformat -> Stream.of(
                Arguments.of(subformat, size, false), Arguments.of(subformat, size, true))));
    }

    static Stream<Arguments> qemuFormatsForWriting() {
        return qemuFormats().filter(arguments -> {
            long size = (Long) arguments.get()[1];
            return size == 3L * MIB + 512 || size == 10_000_000L;
        });
    }

    static Stream<Arguments> ourTypes() {
        return sizes().flatMap(size -> Stream.of(Arguments.of(VhdType.FIXED, size), Arguments.of(VhdType.DYNAMIC,
                size)));
    }

    // ---- (i) what qemu-img writes, we read as qemu-img reads it ----

    @ParameterizedTest(name = "{0} {1} bytes, force_size {2}")
    @MethodSource("qemuFormats")
    void qemuCreatedEmptyDiskReadsAsZerosOfQemuSize(Subformat subformat, long size, boolean forceSize) {
        Path vhd = dir.resolve("empty.vhd");
        qemu.createVpc(vhd, subformat, size, forceSize);
        long qemuSize = qemu.info(vhd, "vpc").virtualSize();

        try (VhdDevice device = Vhd.open(vhd, false)) {
            assertThat(device.size()).as("our size of a qemu-img-created disk").isEqualTo(qemuSize);
            assertThat(device.type()).isEqualTo(subformat == Subformat.FIXED ? VhdType.FIXED : VhdType.DYNAMIC);
            assertReadsAsZeros(device);
        }
    }

    @ParameterizedTest(name = "{0} {1} bytes, force_size {2}")
    @MethodSource("qemuFormats")
    void qemuConvertedDiskReadsAsQemuReadsIt(Subformat subformat, long size, boolean forceSize) {
        Path source = patternedSparseRaw(dir.resolve("source.raw"), size, 11);
        Path vhd = dir.resolve("qemu.vhd");
        qemu.convertRawToVpc(source, vhd, subformat, forceSize);
        Path qemuRead = dir.resolve("qemu-read.raw");
        qemu.convertVpcToRaw(vhd, qemuRead);
        long qemuSize = qemu.info(vhd, "vpc").virtualSize();

        try (VhdDevice device = Vhd.open(vhd, false)) {
            assertThat(device.size()).as("our size of a qemu-img-converted disk").isEqualTo(qemuSize);
            assertSameContent(device, qemuRead);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Subformat.class)
    void qemuMadeDiskInfoAgreesWithQemuImgInfo(Subformat subformat) {
        Path vhd = dir.resolve("qemu.vhd");
        qemu.createVpc(vhd, subformat, 10_000_000, false);
        QemuImg.Info theirs = qemu.info(vhd, "vpc");

        VhdInfo ours = Vhd.info(vhd);
        assertThat(ours.virtualSize()).isEqualTo(theirs.virtualSize());
        assertThat(ours.creatorApplication()).isEqualTo("qemu");
        assertThat(ours.footerRecovered()).isFalse();
        if (subformat == Subformat.DYNAMIC) {
            assertThat(ours.blockSize()).isEqualTo(theirs.clusterSize());
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("sizes")
    void ourRoundedSizeIsTheSizeQemuImgCreates(long size) {
        Path vhd = dir.resolve("rounded.vhd");
        qemu.createVpc(vhd, Subformat.DYNAMIC, size, false);

        assertThat(Vhd.roundedSize(size)).isEqualTo(qemu.info(vhd, "vpc").virtualSize());
    }

    @ParameterizedTest(name = "force_size {0}")
    @ValueSource(booleans = {false, true})
    void qemuMadeSparseHugeDiskReadsAsQemuReadsIt(boolean forceSize) throws IOException {
        long[] offsets = hugeOffsets();
        Path source = TestFiles.writeSparseFile(dir.resolve("huge.raw"), HUGE, 21, 300_000, offsets);
        Path vhd = dir.resolve("huge.vhd");
        qemu.convertRawToVpc(source, vhd, Subformat.DYNAMIC, forceSize);
        Path qemuRead = dir.resolve("huge-read.raw");
        qemu.convertVpcToRaw(vhd, qemuRead);
        long qemuSize = qemu.info(vhd, "vpc").virtualSize();

        try (VhdDevice device = Vhd.open(vhd, false); RawFileDevice raw = RawFileDevice.open(qemuRead, false)) {
            assertThat(device.size()).isEqualTo(qemuSize);
            assertSameSparseContent(device, raw);
        }
    }

    /** Past the largest CHS geometry (about 127 GiB) readers take the footer's size: ours and QEMU's must agree. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {200L << 30, (200L << 30) + 512 * 3})
    void qemuMadeDiskBeyondChsRangeHasQemusSize(long size) {
        Path vhd = dir.resolve("beyond.vhd");
        qemu.createVpc(vhd, Subformat.DYNAMIC, size, false);

        try (VhdDevice device = Vhd.open(vhd, false)) {
            assertThat(device.size()).isEqualTo(qemu.info(vhd, "vpc").virtualSize());
        }
    }

    // ---- (ii) what we write, qemu-img reads as we wrote it ----

    @ParameterizedTest(name = "{0} {1} bytes")
    @MethodSource("ourTypes")
    void ourDiskWrittenAtUnalignedOffsetsReadsInQemuAsWritten(VhdType type, long size) {
        Path vhd = dir.resolve("ours.vhd");
        byte[] model;
        try (VhdDevice device = Vhd.create(vhd, spec(type, size))) {
            model = new byte[(int) device.size()];
            for (long[] write : unalignedWrites(device.size())) {
                writeAndModel(device, model, write[0], (int) write[1], 31);
            }
            device.flush();
        }

        assertQemuReads(vhd, model);
        assertCheckOk(vhd);
    }

    @ParameterizedTest(name = "{0} {1} bytes")
    @MethodSource("ourTypes")
    void ourDiskImportedFromRawReadsInQemuAsItsSource(VhdType type, long size) {
        Path source = patternedSparseRaw(dir.resolve("source.raw"), Vhd.roundedSize(size), 41);
        Path vhd = dir.resolve("imported.vhd");
        try (RawFileDevice raw = RawFileDevice.open(source, false); VhdDevice device = Vhd.create(vhd, spec(type,
                size))) {
            assertThat(device.size()).isEqualTo(raw.size());
            DeviceCopy.of(raw, device).run();
        }

        assertThat(qemu.info(vhd, "vpc").virtualSize()).isEqualTo(Vhd.roundedSize(size));
        assertThat(qemu.compare(vhd, "vpc", source, "raw")).as("qemu-img compare ours.vhd source.raw").isTrue();
        assertCheckOk(vhd);
    }

    /**
     * Block sizes below 4 KiB are left out: QEMU computes the sector bitmap's size as
     * {@code ((block_size / (8 * 512)) + 511) & ~511}, which is 0 for them (the specification pads the bitmap to one
     * sector), so QEMU reads the bitmap sector as data. Such files are valid VHDs that QEMU misreads.
     */
    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {4096, 64 << 10, 512 << 10, 8 << 20})
    void ourDynamicDiskWithOtherBlockSizesReadsInQemuAsWritten(int blockSize) {
        Path vhd = dir.resolve("blocks.vhd");
        byte[] model;
        try (VhdDevice device = Vhd.create(vhd, VhdSpec.dynamic(10_000_000).withBlockSize(blockSize))) {
            model = new byte[(int) device.size()];
            for (long[] write : unalignedWrites(device.size())) {
                writeAndModel(device, model, write[0], (int) write[1], 32);
            }
        }

        assertQemuReads(vhd, model);
        assertCheckOk(vhd);
    }

    /**
     * A disk QEMU made (all-ones bitmaps, its own layout), then written by us, still reads in QEMU as written. Two
     * sizes only (each write that allocates costs an fsync): one just past a block, one odd.
     */
    @ParameterizedTest(name = "{0} {1} bytes, force_size {2}")
    @MethodSource("qemuFormatsForWriting")
    void qemuMadeDiskWrittenByUsReadsInQemuAsWritten(Subformat subformat, long size, boolean forceSize) {
        Path source = patternedSparseRaw(dir.resolve("source.raw"), size, 91);
        Path vhd = dir.resolve("qemu.vhd");
        qemu.convertRawToVpc(source, vhd, subformat, forceSize);
        Path qemuRead = dir.resolve("qemu-read.raw");
        qemu.convertVpcToRaw(vhd, qemuRead);
        byte[] model = readFile(qemuRead);

        try (VhdDevice device = Vhd.open(vhd, true)) {
            for (long[] write : unalignedWrites(device.size())) {
                writeAndModel(device, model, write[0], (int) write[1], 92);
            }
            device.zero(model.length / 4, 5000, IoFlags.NONE);
            Arrays.fill(model, model.length / 4, model.length / 4 + 5000, (byte) 0);
            device.flush();
        }

        assertQemuReads(vhd, model);
        assertCheckOk(vhd);
    }

    @Test
    void ourSparseHugeDynamicDiskReadsInQemuAsWritten() {
        Path vhd = dir.resolve("huge.vhd");
        long[] offsets = hugeOffsets();
        int length = 300_000;
        long size;
        try (VhdDevice device = Vhd.create(vhd, VhdSpec.dynamic(HUGE))) {
            size = device.size();
            for (long offset : offsets) {
                device.write(offset, ByteBuffer.wrap(TestFiles.pattern(51, offset, length)), IoFlags.NONE);
            }
            device.flush();
        }
        Path expected = TestFiles.writeSparseFile(dir.resolve("expected.raw"), size, 51, length, offsets);

        assertThat(qemu.info(vhd, "vpc").virtualSize()).isEqualTo(size);
        assertThat(qemu.compare(vhd, "vpc", expected, "raw")).as("qemu-img compare huge.vhd expected.raw").isTrue();
        assertCheckOk(vhd);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {200L << 30, (200L << 30) + 512 * 3 + 100})
    void ourDiskBeyondChsRangeHasOurSizeInQemu(long size) {
        Path vhd = dir.resolve("beyond.vhd");
        long ours;
        try (VhdDevice device = Vhd.create(vhd, VhdSpec.dynamic(size))) {
            ours = device.size();
            device.write(ours - 700, ByteBuffer.wrap(TestFiles.pattern(53, ours - 700, 700)), IoFlags.NONE);
        }
        Path expected = TestFiles.writeSparseFile(dir.resolve("expected.raw"), ours, 53, 700, ours - 700);

        assertThat(ours).isEqualTo(Vhd.roundedSize(size)).isEqualTo((size + 511) / 512 * 512);
        assertThat(qemu.info(vhd, "vpc").virtualSize()).isEqualTo(ours);
        assertThat(qemu.compare(vhd, "vpc", expected, "raw")).as("qemu-img compare beyond.vhd expected.raw").isTrue();
    }

    @Test
    void ourSparseHugeDynamicDiskStaysSmall() throws IOException {
        Path vhd = dir.resolve("huge.vhd");
        try (VhdDevice device = Vhd.create(vhd, VhdSpec.dynamic(HUGE))) {
            for (long offset : hugeOffsets()) {
                device.write(offset, ByteBuffer.wrap(TestFiles.pattern(52, offset, 300_000)), IoFlags.NONE);
            }
        }

        // 7 writes of 300 kB touch at most 14 blocks of 2 MiB, plus the BAT of 51200 entries (200 KiB). The file's
        // apparent size also counts the holes that align each block's data (VhdOptions.dataAlignment): what it
        // stores is its disk usage.
        assertThat(Vhd.info(vhd).allocatedBytes()).isLessThanOrEqualTo(14L * 2 * MIB);
        assertThat(diskUsage(vhd)).isLessThan(32L * MIB);
    }

    /** Bytes the file occupies on disk, as du counts them. */
    private static long diskUsage(Path file) throws IOException {
        Process du = new ProcessBuilder("du", "--block-size=1", file.toString()).redirectErrorStream(true).start();
        String out = new String(du.getInputStream().readAllBytes()).trim();
        try {
            assertThat(du.waitFor()).as("du: %s", out).isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return Long.parseLong(out.split("\\s+")[0]);
    }

    // ---- (iii) differencing chains ----

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {2 << 20, 64 << 10})
    void threeLevelChainReadsAsTheSumOfItsWrites(int blockSize) {
        Chain chain = buildChain(blockSize);

        try (VhdDevice base = Vhd.open(chain.base, false); VhdDevice child = Vhd.open(chain.child, false);
             VhdDevice grandchild = Vhd.open(chain.grandchild, false)) {
            assertThat(grandchild.type()).isEqualTo(VhdType.DIFFERENCING);
            assertThat(grandchild.size()).isEqualTo(base.size());
            assertSameContent("base", base, chain.baseModel);
            assertSameContent("child", child, chain.childModel);
            assertSameContent("grandchild", grandchild, chain.grandchildModel);
        }
    }

    /** A version over a master image QEMU imported: our differencing disk over a qemu-made base. */
    @ParameterizedTest(name = "{0} base")
    @EnumSource(Subformat.class)
    void differencingDiskOverQemuMadeBaseReadsAsTheSumOfItsWrites(Subformat subformat) {
        Path source = patternedSparseRaw(dir.resolve("source.raw"), 5L * MIB + 4096, 101);
        Path base = dir.resolve("qemu-base.vhd");
        qemu.convertRawToVpc(source, base, subformat, false);
        Path qemuRead = dir.resolve("qemu-read.raw");
        qemu.convertVpcToRaw(base, qemuRead);
        byte[] model = readFile(qemuRead);
        Path child = dir.resolve("child.vhd");

        try (VhdDevice device = Vhd.create(child, VhdSpec.differencing(base))) {
            assertThat(device.size()).isEqualTo(model.length);
            writeAndModel(device, model, 3, 5, 102);                       // inside a sector of base data
            writeAndModel(device, model, 2L * MIB - 100, 300, 103);        // across a block boundary
            writeAndModel(device, model, model.length / 2 + 11, 70_000, 104);
            device.zero(MIB + 7, 1000, IoFlags.NONE);
            Arrays.fill(model, MIB + 7, MIB + 1007, (byte) 0);
        }

        try (VhdDevice device = Vhd.open(child, false)) {
            assertSameContent("child over a qemu-made base", device, model);
        }
        assertCheckOk(child);
    }

    /** Stores are copied between servers: a chain moved to another directory finds its parents there. */
    @Test
    void chainMovedToAnotherDirectoryReadsTheSame() throws IOException {
        Chain chain = buildChain(64 << 10);
        Path moved = java.nio.file.Files.createDirectory(dir.resolve("moved"));
        for (Path file : List.of(chain.base, chain.child, chain.grandchild)) {
            java.nio.file.Files.move(file, moved.resolve(file.getFileName()));
        }

        try (VhdDevice device = Vhd.open(moved.resolve(chain.grandchild.getFileName()), false)) {
            assertThat(device.info().chain()).hasSize(3);
            assertThat(device.info().parent().file()).startsWith(moved.toString());
            assertSameContent("moved grandchild", device, chain.grandchildModel);
        }
    }

    /** Copies skip what extents call zero: a chain must never call a range zero that reads otherwise. */
    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {2 << 20, 64 << 10})
    void chainExtentsCoverTheDiskAndCallNoDataZero(int blockSize) {
        Chain chain = buildChain(blockSize);

        try (VhdDevice device = Vhd.open(chain.grandchild, false)) {
            long at = 0;
            while (at < device.size()) {
                List<Extent> extents = device.extents(at, device.size() - at);
                assertThat(extents).as("extents from %d", at).isNotEmpty();
                for (Extent extent : extents) {
                    assertThat(extent.offset()).as("extents leave no gap").isEqualTo(at);
                    if (extent.zero()) {
                        byte[] model = Arrays.copyOfRange(chain.grandchildModel, (int) extent.offset(),
                                (int) extent.end());
                        assertThat(firstNonZero(ByteBuffer.wrap(model)))
                                .as("first non-zero byte of the model in zero extent %s", extent).isEqualTo(-1);
                    }
                    at = extent.end();
                }
            }
        }
    }

    @Test
    void chainPassesOurCheck() {
        Chain chain = buildChain(64 << 10);

        assertCheckOk(chain.grandchild);
    }

    @Test
    void zeroInChildHidesParentData() {
        Chain chain = buildChain(64 << 10);
        byte[] model = chain.grandchildModel.clone();
        try (VhdDevice device = Vhd.open(chain.grandchild, true)) {
            // Over data the base wrote (sectors 0..), partly unaligned, and across a 64 KiB block boundary.
            device.zero(1000, 70_000, IoFlags.NONE);
            Arrays.fill(model, 1000, 71_000, (byte) 0);
        }

        try (VhdDevice device = Vhd.open(chain.grandchild, false)) {
            assertSameContent("grandchild after zero", device, model);
        }
    }

    /**
     * BlockDevice.trim on an overlay: the trimmed sectors of a differencing disk read from its parent again (which is
     * how a Standard-mode write cache gives back the room a guest trims), and {@code trimReadsZero} says so.
     */
    @Test
    void trimInChildReadsTheParentAgain() {
        Chain chain = buildChain(64 << 10);
        byte[] after;
        try (VhdDevice device = Vhd.open(chain.grandchild, true)) {
            assertThat(device.trimReadsZero()).isFalse();
            // Bytes 100..110 were written by the child over a sector the base wrote; 512*3.. by the grandchild.
            device.trim(0, 4096, IoFlags.NONE);
            after = TestFiles.read(device, 0, 4096);
        }
        assertThat(after).isEqualTo(Arrays.copyOfRange(chain.childModel, 0, 4096));
    }

    @Test
    void trimInDynamicDiskReadsZeros() {
        Chain chain = buildChain(64 << 10);
        try (VhdDevice device = Vhd.open(chain.base, true)) {
            assertThat(device.trimReadsZero()).isTrue();
            device.trim(0, 4096, IoFlags.NONE);
            assertThat(TestFiles.read(device, 0, 4096)).containsOnly(0);
        }
    }

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {2 << 20, 64 << 10})
    void chainExportedToRawAndImportedAgainKeepsItsContent(int blockSize) {
        Chain chain = buildChain(blockSize);
        String expected = TestFiles.sha256(chain.grandchildModel);
        Path raw = dir.resolve("export.raw");
        Path imported = dir.resolve("imported.vhd");

        try (VhdDevice source = Vhd.open(chain.grandchild, false); RawFileDevice target = newRawDevice(raw,
                source.size())) {
            DeviceCopy.of(source, target).run();
        }
        assertThat(TestFiles.sha256(raw)).as("SHA-256 of the exported raw file").isEqualTo(expected);

        try (RawFileDevice source = RawFileDevice.open(raw, false); VhdDevice target = Vhd.create(imported,
                VhdSpec.dynamic(source.size()))) {
            assertThat(target.size()).isEqualTo(source.size());
            DeviceCopy.of(source, target).run();
        }
        try (VhdDevice device = Vhd.open(imported, false)) {
            assertThat(TestFiles.sha256(device)).as("SHA-256 of the re-imported disk").isEqualTo(expected);
        }
        assertThat(qemu.compare(imported, "vpc", raw, "raw")).as("qemu-img compare imported.vhd export.raw").isTrue();
    }

    /**
     * QEMU 7.2 reads no differencing VHD: it opens one as if it were dynamic and ignores the parent, so its content
     * is not ours to compare. What it must do is accept the file as a well-formed VHD of the chain's size.
     */
    @Test
    void ourDifferencingDiskIsAWellFormedVhdOfItsSizeForQemuImg() {
        Chain chain = buildChain(2 << 20);
        long size;
        try (VhdDevice child = Vhd.open(chain.child, false)) {
            size = child.size();
        }
        assertThat(qemu.info(chain.child, "vpc").virtualSize()).isEqualTo(size);
    }

    // ---- helpers ----

    private record Chain(Path base, Path child, Path grandchild, byte[] baseModel, byte[] childModel,
                         byte[] grandchildModel) {
    }

    /**
     * Base (dynamic), child over base, grandchild over child; each level writes at unaligned offsets, across block
     * boundaries, into sectors its parent wrote (so that a sector is part parent, part child), and into blocks only
     * the parent has.
     */
    private Chain buildChain(int blockSize) {
        long requested = 3L * blockSize + 5 * 4096 + 512;
        Path base = dir.resolve("base-" + blockSize + ".vhd");
        Path child = dir.resolve("child-" + blockSize + ".vhd");
        Path grandchild = dir.resolve("grandchild-" + blockSize + ".vhd");
        byte[] model;
        try (VhdDevice device = Vhd.create(base, VhdSpec.dynamic(requested).withBlockSize(blockSize))) {
            model = new byte[(int) device.size()];
            writeAndModel(device, model, 0, 4096, 61);
            writeAndModel(device, model, blockSize - 700, 1500, 62);
            writeAndModel(device, model, 2L * blockSize + 3, 10_000, 63);
            writeAndModel(device, model, model.length - 1000, 1000, 64);
        }
        byte[] baseModel = model.clone();
        try (VhdDevice device = Vhd.create(child, VhdSpec.differencing(base).withBlockSize(blockSize))) {
            assertThat(device.size()).isEqualTo(model.length);
            writeAndModel(device, model, 100, 10, 71);                    // inside a sector the base wrote
            writeAndModel(device, model, blockSize - 200, 400, 72);       // across a boundary, over base data
            writeAndModel(device, model, blockSize + 5000, 1, 73);        // one byte where the base has nothing
            writeAndModel(device, model, 2L * blockSize + 4000, 3000, 74); // partly over base data
        }
        byte[] childModel = model.clone();
        try (VhdDevice device = Vhd.create(grandchild, VhdSpec.differencing(child).withBlockSize(blockSize))) {
            writeAndModel(device, model, 105, 3, 81);                     // over child bytes inside a base sector
            writeAndModel(device, model, 512 * 3 + 77, 512 * 4, 82);      // over base-only sectors, unaligned
            writeAndModel(device, model, blockSize - 1, 2, 83);           // two bytes across the boundary
            writeAndModel(device, model, model.length - 513, 513, 84);    // the end, over base data
        }
        return new Chain(base, child, grandchild, baseModel, childModel, model.clone());
    }

    private static VhdSpec spec(VhdType type, long size) {
        return type == VhdType.FIXED ? VhdSpec.fixed(size) : VhdSpec.dynamic(size);
    }

    private static void writeAndModel(VhdDevice device, byte[] model, long offset, int length, long seed) {
        byte[] data = TestFiles.pattern(seed, offset, length);
        device.write(offset, ByteBuffer.wrap(data), IoFlags.NONE);
        System.arraycopy(data, 0, model, (int) offset, length);
    }

    /** Writes at odd offsets and lengths: single bytes, sector-straddling pieces, block-straddling runs, the end. */
    private static List<long[]> unalignedWrites(long size) {
        List<long[]> writes = new ArrayList<>();
        long[][] wanted = {
                {0, 512}, {1, 1000}, {511, 2}, {4093, 7}, {2L * MIB - 300, 600}, {2L * MIB + 512 * 9, 512 * 3},
                {size / 2 + 3, 100_003}, {size - 777, 777}, {size - 1, 1}, {size / 3, 1}, {3L * MIB + 17, 65_536}};
        for (long[] write : wanted) {
            if (write[0] >= 0 && write[0] + write[1] <= size) {
                writes.add(write);
            }
        }
        return writes;
    }

    /** Seven writes of 300 kB spread over 100 GiB, some across 2 MiB block boundaries, the last at the very end. */
    private static long[] hugeOffsets() {
        return new long[] {0, 2L * MIB - 1000, 7 * GIB + 12_345, 33 * GIB - 150_000, 64 * GIB + 511,
                99 * GIB + 3 * MIB, HUGE - 300_000 - 4 * MIB};
    }

    /**
     * A raw file of {@code size} bytes: pattern data in pieces at the start, around the middle and at the end, with
     * holes (and so unallocated VHD blocks) between them.
     */
    private static Path patternedSparseRaw(Path file, long size, long seed) {
        int piece = (int) Math.min(700_000, size / 4);
        long middle = size / 2 - 1234;
        return TestFiles.writeSparseFile(file, size, seed, piece, 0, middle, size - piece);
    }

    private static byte[] readFile(Path file) {
        try {
            return java.nio.file.Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static RawFileDevice newRawDevice(Path file, long size) {
        StorageFile storage = FileStorage.open(file, FileStorage.Mode.CREATE_NEW);
        storage.truncate(size);
        return RawFileDevice.of(storage);
    }

    private void assertQemuReads(Path vhd, byte[] model) {
        assertThat(qemu.info(vhd, "vpc").virtualSize()).as("qemu-img info virtual-size").isEqualTo(model.length);
        Path expected = TestFiles.write(dir.resolve("expected.raw"), model);
        assertThat(qemu.compare(vhd, "vpc", expected, "raw")).as("qemu-img compare ours.vhd expected.raw").isTrue();
        Path qemuRead = dir.resolve("qemu-read.raw");
        qemu.convertVpcToRaw(vhd, qemuRead);
        assertThat(TestFiles.sha256(qemuRead)).as("SHA-256 of qemu-img convert -O raw").isEqualTo(
                TestFiles.sha256(model));
    }

    private static void assertCheckOk(Path vhd) {
        VhdCheckReport report = Vhd.check(vhd);
        assertThat(report.ok()).as("Vhd.check(%s): %s", vhd.getFileName(), report.problems()).isTrue();
    }

    private static void assertReadsAsZeros(BlockDevice device) {
        ByteBuffer buffer = ByteBuffer.allocate(MIB);
        for (long at = 0; at < device.size(); at += MIB) {
            int n = (int) Math.min(MIB, device.size() - at);
            buffer.clear().limit(n);
            device.read(at, buffer);
            buffer.flip();
            int nonZero = firstNonZero(buffer);
            assertThat(nonZero).as("first non-zero byte of an empty disk, in the MiB at %d", at).isEqualTo(-1);
        }
    }

    private static int firstNonZero(ByteBuffer buffer) {
        for (int i = buffer.position(); i < buffer.limit(); i++) {
            if (buffer.get(i) != 0) {
                return i;
            }
        }
        return -1;
    }

    /** Our device reads exactly the bytes of {@code raw}, which has the same size; reports the first difference. */
    private static void assertSameContent(BlockDevice device, Path raw) {
        try (FileChannel channel = FileChannel.open(raw, StandardOpenOption.READ)) {
            assertThat(channel.size()).as("size of %s", raw.getFileName()).isEqualTo(device.size());
            ByteBuffer ours = ByteBuffer.allocate(MIB);
            ByteBuffer theirs = ByteBuffer.allocate(MIB);
            for (long at = 0; at < device.size(); at += MIB) {
                int n = (int) Math.min(MIB, device.size() - at);
                ours.clear().limit(n);
                theirs.clear().limit(n);
                device.read(at, ours);
                while (theirs.hasRemaining()) {
                    channel.read(theirs, at + theirs.position());
                }
                assertChunkEqual(at, ours.flip(), theirs.flip());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertSameContent(String what, BlockDevice device, byte[] model) {
        assertThat(device.size()).as("size of " + what).isEqualTo(model.length);
        byte[] ours = TestFiles.readAll(device);
        int mismatch = Arrays.mismatch(ours, model);
        assertThat(mismatch).as("first offset where %s differs from its model (ours %s, model %s)", what,
                mismatch < 0 ? "-" : ours[mismatch], mismatch < 0 ? "-" : model[mismatch]).isEqualTo(-1);
    }

    private static void assertChunkEqual(long at, ByteBuffer ours, ByteBuffer theirs) {
        int mismatch = ours.mismatch(theirs);
        if (mismatch >= 0) {
            assertThat(at + mismatch).as("first offset where we read otherwise than qemu-img (ours %s, qemu %s)",
                    ours.limit() > mismatch ? ours.get(mismatch) : "-",
                    theirs.limit() > mismatch ? theirs.get(mismatch) : "-").isEqualTo(-1L);
        }
    }

    /**
     * For disks too large to read whole: every byte the raw file holds as data, and every byte our device reports as
     * data, is compared; where both report holes, both read zeros (checked on a sample of random spots too, in case
     * our extents call a data region a hole).
     */
    private static void assertSameSparseContent(VhdDevice device, RawFileDevice raw) {
        List<Extent> ranges = new ArrayList<>();
        ranges.addAll(dataExtents(raw));
        ranges.addAll(dataExtents(device));
        for (Extent range : ranges) {
            for (long at = range.offset(); at < range.end(); at += MIB) {
                int n = (int) Math.min(MIB, range.end() - at);
                assertChunkEqual(at, readChunk(device, at, n), readChunk(raw, at, n));
            }
        }
        Random random = new Random(7);
        for (int i = 0; i < 64; i++) {
            long at = (random.nextLong(device.size() - 65536)) & ~511L;
            assertChunkEqual(at, readChunk(device, at, 65536), readChunk(raw, at, 65536));
        }
    }

    private static List<Extent> dataExtents(BlockDevice device) {
        List<Extent> data = new ArrayList<>();
        for (long at = 0; at < device.size(); ) {
            List<Extent> extents = device.extents(at, Math.min(device.size() - at, 64 * GIB));
            for (Extent extent : extents) {
                if (!extent.zero()) {
                    data.add(extent);
                }
            }
            at = extents.getLast().end();
        }
        return data;
    }

    private static ByteBuffer readChunk(BlockDevice device, long at, int n) {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        device.read(at, buffer);
        return buffer.flip();
    }
}
