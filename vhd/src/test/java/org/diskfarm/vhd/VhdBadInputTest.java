package org.diskfarm.vhd;

import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Damaged VHD files, one kind of damage per test: each must be refused by {@link Vhd#open} (read-only and
 * read-write) and {@link Vhd#info} with a {@link StorageException} whose message is one line, names the file and says
 * the problem; {@link Vhd#check} must report it as an ERROR without throwing; and no file in the directory may change
 * (content and modification time).
 *
 * <p>Each file starts valid, made by {@link Vhd#create} with data in some blocks ({@link VhdTestImages}), and is then
 * damaged by {@link VhdFileSurgery}, which fixes checksums when the damage is meant to get past them.
 *
 * <p>The key phrases each test looks for in messages are alternatives (any one will do), chosen to say the problem
 * without fixing the implementation's wording.
 */
class VhdBadInputTest {
    private static final String[] TRUNCATED = {"truncat", "too small", "too short", "short", "empty", "footer",
            "smaller", "past the end", "beyond", "outside", "end of file", "not a vhd"};
    private static final String[] CHECKSUM = {"checksum"};
    private static final String[] COOKIE = {"cookie", "conectix", "cxsparse", "signature", "magic", "not a vhd"};
    private static final String[] BAT_OUTSIDE = {"bat", "block allocation", "outside", "beyond", "past the end"};
    private static final String[] OVERLAP = {"overlap", "another block", "same", "twice", "shared", "collide"};
    private static final String[] INTO_METADATA = {"overlap", "metadata", "header", "footer", "table", "bat",
            "outside", "before"};
    private static final String[] BLOCK_SIZE = {"block size", "power of two", "power of 2"};
    private static final String[] TABLE = {"table", "bat", "entries", "outside", "beyond"};
    private static final String[] SIZE = {"size", "fit", "too large", "too big", "exceeds"};
    private static final String[] PARENT_MISSING = {"parent", "not found", "no such", "missing"};
    private static final String[] PARENT_ID = {"uuid", "unique id", "identifier", "match"};
    private static final String[] LOOP = {"loop", "cycle", "circular", "itself", "chain", "already"};
    private static final String[] LOCATOR = {"locator", "outside", "beyond", "past the end"};

    @TempDir
    Path dir;

    // ---- baseline: the files the damage starts from are valid ------------------------------------------------------

    @Test
    void undamagedFilesOpenAndCheckClean() {
        Path dynamic = VhdTestImages.dynamic(dir, "dynamic.vhd");
        Path fixed = VhdTestImages.fixed(dir, "fixed.vhd");
        Path child = VhdTestImages.differencing(dir, "child.vhd", dynamic);
        Map<String, String> before = snapshot();
        for (Path file : List.of(dynamic, fixed, child)) {
            try (VhdDevice device = Vhd.open(file, false)) {
                assertThat(readAt(device, 0, 512)).isEqualTo(VhdTestImages.pattern(0, 512));
            }
            VhdCheckReport report = Vhd.check(file);
            assertThat(report.problems()).as("problems of %s", file).isEmpty();
            assertThat(report.ok()).isTrue();
            assertThat(Vhd.info(file).footerRecovered()).isFalse();
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    // ---- truncated files --------------------------------------------------------------------------------------------

    @Test
    void fileTruncatedToZeroBytesIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.truncate(0);
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, TRUNCATED);
    }

    @Test
    void fileTruncatedTo100BytesIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.truncate(100);
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, TRUNCATED);
    }

    @Test
    void fileCutInTheMiddleOfTheBatIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.truncate(s.tableOffset() + s.tableSize() / 2);
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, TRUNCATED);
    }

    @Test
    void fileCutInTheMiddleOfABlockIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        int last = s.allocatedBlocks().getLast();
        s.truncate((int) s.blockDataOffset(last) + s.blockSize() / 2);
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, TRUNCATED);
    }

    @Test
    void fixedFileCutInTheMiddleOfItsDataIsRefused() {
        Path file = VhdTestImages.fixed(dir, "fixed.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.truncate(s.length() / 2);
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, TRUNCATED);
    }

    // ---- footer -----------------------------------------------------------------------------------------------------

    @Test
    void footerWithWrongChecksumInBothCopiesIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        assertThat(s.hasFooterCopy()).isTrue();
        for (int at : s.footers()) {
            s.putU32(at + VhdFileSurgery.F_CHECKSUM, s.u32(at + VhdFileSurgery.F_CHECKSUM) ^ 0x10);
        }
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, CHECKSUM);
    }

    @Test
    void fixedDiskFooterWithWrongChecksumIsRefused() {
        Path file = VhdTestImages.fixed(dir, "fixed.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.putU32(s.footer() + VhdFileSurgery.F_CHECKSUM, s.u32(s.footer() + VhdFileSurgery.F_CHECKSUM) + 1);
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, CHECKSUM);
    }

    @Test
    void footerWithBadContentButOldChecksumIsRefused() {
        // The damage is in a field; the checksum was not updated, so it is the checksum that catches it.
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        for (int at : s.footers()) {
            s.putU8(at + VhdFileSurgery.F_CURRENT_SIZE + 3, s.u8(at + VhdFileSurgery.F_CURRENT_SIZE + 3) ^ 0x40);
        }
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, CHECKSUM);
    }

    @Test
    void damagedTrailingFooterIsRecoveredReadOnlyFromTheCopyAtTheStart() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.putU32(s.footer() + VhdFileSurgery.F_CHECKSUM, s.u32(s.footer() + VhdFileSurgery.F_CHECKSUM) ^ 0x100);
        s.saveTo(file);
        Map<String, String> before = snapshot();

        try (VhdDevice device = Vhd.open(file, false)) {
            assertThat(device.info().footerRecovered()).isTrue();
            assertThat(readAt(device, 0, 3 * 512)).isEqualTo(VhdTestImages.pattern(0, 3 * 512));
            long last = device.size() - 4096;
            assertThat(readAt(device, last, 4096)).isEqualTo(VhdTestImages.pattern(last, 4096));
        }
        assertThat(Vhd.info(file).footerRecovered()).isTrue();
        VhdCheckReport report = Vhd.check(file);
        assertThat(report.ok()).as("check of a file with a recovered footer: %s", report.problems()).isTrue();
        assertThat(report.problems()).anySatisfy(p -> {
            assertThat(p.severity()).isEqualTo(VhdProblem.Severity.WARNING);
            assertThat(mentionsAny(p.where() + " " + p.what(), "footer")).isTrue();
        });
        assertThat(snapshot()).as("files after read-only open, info and check").isEqualTo(before);
    }

    @Test
    void fileThatIsNoVhdAtAllIsRefused() throws IOException {
        // A raw disk image given where a VHD was expected: no footer at either end.
        Path file = dir.resolve("raw.vhd");
        byte[] raw = new byte[256 * 1024];
        new java.util.Random(7).nextBytes(raw);
        Files.write(file, raw);
        assertRejected(file, StorageException.Kind.CORRUPT, COOKIE);
    }

    @Test
    void footerWithWrongCookieIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.editFooters(at -> s.putAscii(at + VhdFileSurgery.F_COOKIE, "conectiy"));
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, COOKIE);
    }

    @ParameterizedTest(name = "disk type {0}")
    @ValueSource(ints = {0, 1, 5, 6, 0x7fffffff, -1})
    void unknownDiskTypeIsRefused(int diskType) {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.editFooters(at -> s.putU32(at + VhdFileSurgery.F_DISK_TYPE, diskType));
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, "type");
    }

    @Test
    void footerDataOffsetOutsideTheFileIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        long past = s.length() + 4096L;
        s.editFooters(at -> s.putU64(at + VhdFileSurgery.F_DATA_OFFSET, past));
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, "header", "data offset", "outside", "beyond");
    }

    // ---- dynamic header -------------------------------------------------------------------------------------------

    @Test
    void dynamicHeaderWithWrongCookieIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.editHeader(at -> s.putAscii(at + VhdFileSurgery.H_COOKIE, "cxsparsf"));
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, COOKIE);
    }

    @Test
    void dynamicHeaderWithWrongChecksumIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.putU32(s.header() + VhdFileSurgery.H_CHECKSUM, s.u32(s.header() + VhdFileSurgery.H_CHECKSUM) ^ 1);
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, CHECKSUM);
    }

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {3 * 64 * 1024, 64 * 1024 + 512, 100_000, 256, 0x80000000})
    void blockSizeThatIsNotAPowerOfTwoOfAtLeastOneSectorIsRefused(int blockSize) {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.editHeader(at -> s.putU32(at + VhdFileSurgery.H_BLOCK_SIZE, blockSize));
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, BLOCK_SIZE);
    }

    @Test
    void blockSizeZeroIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.editHeader(at -> s.putU32(at + VhdFileSurgery.H_BLOCK_SIZE, 0));
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, BLOCK_SIZE);
    }

    @ParameterizedTest(name = "max table entries {0}")
    @ValueSource(ints = {0x7fffffff, 0xffffffff, 0x40000000, 0x01000000})
    void maxTableEntriesForATableLargerThanTheFileIsRefused(int entries) {
        // A BAT of that many entries (64 MiB and more) cannot lie in a file of a few hundred KiB.
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.editHeader(at -> s.putU32(at + VhdFileSurgery.H_MAX_TABLE_ENTRIES, entries));
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, TABLE);
    }

    @ParameterizedTest(name = "max table entries {0}")
    @ValueSource(ints = {0x7fffffff, 0xffffffff, 0x40000000, 0x01000000})
    void absurdMaxTableEntriesAllocatesNothingForThem(int entries) {
        // Whatever open and check make of the field, they must not size an allocation by it ("never out of memory").
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.editHeader(at -> s.putU32(at + VhdFileSurgery.H_MAX_TABLE_ENTRIES, entries));
        s.saveTo(file);
        long allocated = allocatedBytesDuring(() -> {
            try (VhdDevice device = Vhd.open(file, false)) {
                readAt(device, 0, 512);
            } catch (StorageException e) {
                assertThat(e.getMessage()).doesNotContain("\n");
            }
            Vhd.check(file);
        });
        assertThat(allocated).as("bytes allocated to open and check a file of %d bytes", s.length())
                .isLessThan(64L << 20);
    }

    @ParameterizedTest(name = "table offset {0}")
    @ValueSource(longs = {-1, 1L << 40, Long.MAX_VALUE - 511})
    void tableOffsetFarOutsideTheFileIsRefused(long tableOffset) {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.editHeader(at -> s.putU64(at + VhdFileSurgery.H_TABLE_OFFSET, tableOffset));
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, TABLE);
    }

    @Test
    void tableJustPastTheEndOfTheFileIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        long past = s.length() + 512L;
        s.editHeader(at -> s.putU64(at + VhdFileSurgery.H_TABLE_OFFSET, past));
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, TABLE);
    }

    @Test
    void tableRunningIntoTheFooterIsRefused() {
        // The BAT starts inside the file (after the last block) but its end reaches into the trailing footer.
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        long into = s.footer() - s.tableSize() / 2;
        s.editHeader(at -> s.putU64(at + VhdFileSurgery.H_TABLE_OFFSET, into));
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, TABLE_OR_OVERLAP);
    }

    private static final String[] TABLE_OR_OVERLAP = {"table", "bat", "entries", "outside", "beyond", "overlap",
            "footer"};

    @Test
    void virtualSizeLargerThanTheTableCoversIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        long tooLarge = (long) s.maxTableEntries() * s.blockSize() + s.blockSize();
        s.editFooters(at -> {
            s.putU64(at + VhdFileSurgery.F_CURRENT_SIZE, tooLarge);
            s.putU64(at + VhdFileSurgery.F_ORIGINAL_SIZE, tooLarge);
        });
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, SIZE);
    }

    @Test
    void virtualSizeNotAWholeNumberOfSectorsIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        long odd = s.currentSize() - 100;
        s.editFooters(at -> s.putU64(at + VhdFileSurgery.F_CURRENT_SIZE, odd));
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, SIZE);
    }

    @ParameterizedTest(name = "current size {0}")
    @ValueSource(longs = {-1, Long.MIN_VALUE, 1L << 62})
    void negativeOrHugeVirtualSizeIsRefused(long size) {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.editFooters(at -> s.putU64(at + VhdFileSurgery.F_CURRENT_SIZE, size));
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, SIZE);
    }

    @Test
    void fixedDiskWhoseSizeDoesNotFitTheFileIsRefused() {
        Path file = VhdTestImages.fixed(dir, "fixed.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        long tooLarge = s.currentSize() + (1L << 20);
        s.editFooters(at -> {
            s.putU64(at + VhdFileSurgery.F_CURRENT_SIZE, tooLarge);
            s.putU64(at + VhdFileSurgery.F_ORIGINAL_SIZE, tooLarge);
        });
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, SIZE);
    }

    // ---- BAT ------------------------------------------------------------------------------------------------------

    @Test
    void batEntryPointingOutsideTheFileIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        int entry = s.allocatedBlocks().get(1);
        s.setBatEntry(entry, s.length() / 512 + 100);
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, BAT_OUTSIDE);
    }

    @ParameterizedTest(name = "sector 0x{0}")
    @ValueSource(ints = {0xfffffffe, 0x7fffffff, 0x80000000})
    void batEntryWithHugeSectorIsRefused(int sector) {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        int unallocated = firstUnallocated(s);
        s.setBatEntry(unallocated, sector);
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, BAT_OUTSIDE);
    }

    @Test
    void batEntryWhoseBlockRunsIntoTheFooterIsRefused() {
        // The block starts inside the file, but its bitmap and data overlap the trailing footer.
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        s.setBatEntry(firstUnallocated(s), (s.length() - VhdFileSurgery.FOOTER_SIZE) / 512 - 1);
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, TABLE_OR_OVERLAP);
    }

    @Test
    void batEntryPointingIntoAnotherBlockIsRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        List<Integer> allocated = s.allocatedBlocks();
        int first = allocated.get(0);
        int second = allocated.get(1);
        s.setBatEntry(second, s.batEntry(first) + 8);
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, OVERLAP);
    }

    @Test
    void twoBatEntriesPointingAtTheSameBlockAreRefused() {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        int first = s.allocatedBlocks().get(0);
        s.setBatEntry(firstUnallocated(s), s.batEntry(first));
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, OVERLAP);
    }

    @ParameterizedTest(name = "into {0}")
    @ValueSource(strings = {"footer copy", "header", "table"})
    void batEntryPointingIntoTheMetadataIsRefused(String into) {
        Path file = VhdTestImages.dynamic(dir, "disk.vhd");
        VhdFileSurgery s = VhdFileSurgery.of(file);
        int sector = switch (into) {
            case "footer copy" -> 0;
            case "header" -> s.header() / 512;
            default -> s.tableOffset() / 512;
        };
        s.setBatEntry(s.allocatedBlocks().get(0), sector);
        s.saveTo(file);
        assertRejected(file, StorageException.Kind.CORRUPT, INTO_METADATA);
    }

    // ---- differencing disks ---------------------------------------------------------------------------------------

    @Test
    void missingParentIsReportedAsNotFound() throws IOException {
        Path parent = VhdTestImages.dynamic(dir, "base.vhd");
        Path child = VhdTestImages.differencing(dir, "child.vhd", parent);
        Files.delete(parent);
        assertRejected(child, Set.of("child.vhd", "base.vhd"), StorageException.Kind.NOT_FOUND, PARENT_MISSING);
    }

    @Test
    void parentWhoseUniqueIdDoesNotMatchIsRefused() {
        Path parent = VhdTestImages.dynamic(dir, "base.vhd");
        Path child = VhdTestImages.differencing(dir, "child.vhd", parent);
        VhdFileSurgery s = VhdFileSurgery.of(child);
        s.editHeader(at -> s.putUuid(at + VhdFileSurgery.H_PARENT_UNIQUE_ID, UUID.randomUUID()));
        s.saveTo(child);
        assertRejected(child, Set.of("child.vhd", "base.vhd"), StorageException.Kind.CORRUPT, PARENT_ID);
    }

    @Test
    void parentReplacedByAnotherDiskIsRefused() throws IOException {
        // The locators still find base.vhd, but it is a different disk now (another Unique Id).
        Path parent = VhdTestImages.dynamic(dir, "base.vhd");
        Path child = VhdTestImages.differencing(dir, "child.vhd", parent);
        Files.delete(parent);
        VhdTestImages.dynamic(dir, "base.vhd");
        assertRejected(child, Set.of("child.vhd", "base.vhd"), StorageException.Kind.CORRUPT, PARENT_ID);
    }

    @Test
    void differencingDiskWhoseVirtualSizeDiffersFromItsParentIsRefused() {
        Path parent = VhdTestImages.dynamic(dir, "base.vhd");
        Path child = VhdTestImages.differencing(dir, "child.vhd", parent);
        VhdFileSurgery s = VhdFileSurgery.of(child);
        long smaller = s.currentSize() - VhdTestImages.BLOCK_SIZE;
        s.editFooters(at -> {
            s.putU64(at + VhdFileSurgery.F_CURRENT_SIZE, smaller);
            s.putU64(at + VhdFileSurgery.F_ORIGINAL_SIZE, smaller);
        });
        s.saveTo(child);
        assertRejected(child, Set.of("child.vhd", "base.vhd"), StorageException.Kind.CORRUPT, SIZE);
    }

    @Test
    void parentChainThatLoopsIsRefused() {
        // pa.vhd <- ca.vhd <- cb.vhd, then ca's parent is made cb: ca -> cb -> ca -> ...
        Path base = VhdTestImages.dynamic(dir, "pa.vhd");
        Path a = VhdTestImages.differencing(dir, "ca.vhd", base);
        Path b = VhdTestImages.differencing(dir, "cb.vhd", a);
        VhdFileSurgery sb = VhdFileSurgery.of(b);
        VhdFileSurgery sa = VhdFileSurgery.of(a);
        assertThat(sa.renameParent("pa.vhd", "cb.vhd")).as("places naming the parent in ca.vhd").isPositive();
        sa.editHeader(at -> {
            System.arraycopy(sb.bytes(), sb.footer() + VhdFileSurgery.F_UNIQUE_ID, sa.bytes(),
                    at + VhdFileSurgery.H_PARENT_UNIQUE_ID, 16);
            sa.putU32(at + VhdFileSurgery.H_PARENT_TIMESTAMP, sb.timestamp());
        });
        sa.saveTo(a);
        assertRejected(a, Set.of("ca.vhd", "cb.vhd"), StorageException.Kind.CORRUPT, LOOP);
        assertRejected(b, Set.of("ca.vhd", "cb.vhd"), StorageException.Kind.CORRUPT, LOOP);
    }

    @Test
    void diskThatIsItsOwnParentIsRefused() {
        Path base = VhdTestImages.dynamic(dir, "pa.vhd");
        Path a = VhdTestImages.differencing(dir, "ca.vhd", base);
        VhdFileSurgery sa = VhdFileSurgery.of(a);
        assertThat(sa.renameParent("pa.vhd", "ca.vhd")).isPositive();
        sa.editHeader(at -> {
            System.arraycopy(sa.bytes(), sa.footer() + VhdFileSurgery.F_UNIQUE_ID, sa.bytes(),
                    at + VhdFileSurgery.H_PARENT_UNIQUE_ID, 16);
            sa.putU32(at + VhdFileSurgery.H_PARENT_TIMESTAMP, sa.timestamp());
        });
        sa.saveTo(a);
        assertRejected(a, Set.of("ca.vhd"), StorageException.Kind.CORRUPT, LOOP);
    }

    @Test
    void everyParentLocatorPointingOutsideTheFileIsRefused() {
        Path parent = VhdTestImages.dynamic(dir, "base.vhd");
        Path child = VhdTestImages.differencing(dir, "child.vhd", parent);
        VhdFileSurgery s = VhdFileSurgery.of(child);
        List<Integer> used = s.usedLocators();
        assertThat(used).as("parent locators of a new differencing disk").isNotEmpty();
        long past = s.length() + (1L << 20);
        s.editHeader(at -> used.forEach(i -> s.putU64(s.locator(i) + VhdFileSurgery.L_DATA_OFFSET, past)));
        s.saveTo(child);
        assertRejected(child, Set.of("child.vhd"), StorageException.Kind.CORRUPT, LOCATOR);
    }

    @Test
    void oneParentLocatorPointingOutsideTheFileIsRefused() {
        Path parent = VhdTestImages.dynamic(dir, "base.vhd");
        Path child = VhdTestImages.differencing(dir, "child.vhd", parent);
        VhdFileSurgery s = VhdFileSurgery.of(child);
        int first = s.usedLocators().getFirst();
        long past = s.length() + 4096;
        s.editHeader(at -> s.putU64(s.locator(first) + VhdFileSurgery.L_DATA_OFFSET, past));
        s.saveTo(child);
        assertRejected(child, Set.of("child.vhd"), StorageException.Kind.CORRUPT, LOCATOR);
    }

    @Test
    void parentLocatorWithAbsurdLengthIsRefusedWithoutAllocatingForIt() {
        Path parent = VhdTestImages.dynamic(dir, "base.vhd");
        Path child = VhdTestImages.differencing(dir, "child.vhd", parent);
        VhdFileSurgery s = VhdFileSurgery.of(child);
        List<Integer> used = s.usedLocators();
        s.editHeader(at -> used.forEach(i -> s.putU32(s.locator(i) + VhdFileSurgery.L_DATA_LENGTH, 0x7ffffff0)));
        s.saveTo(child);
        long allocated = assertRejected(child, Set.of("child.vhd"), StorageException.Kind.CORRUPT, LOCATOR);
        assertThat(allocated).as("bytes allocated to refuse a locator of 2 GiB").isLessThan(64L << 20);
    }

    // ---- the assertion --------------------------------------------------------------------------------------------

    private long assertRejected(Path file, StorageException.Kind kind, String... phrases) {
        return assertRejected(file, Set.of(file.getFileName().toString()), kind, phrases);
    }

    /**
     * Open read-only, open read-write and info each throw a one-line StorageException of {@code kind} naming one of
     * {@code names} and saying one of {@code phrases}; check reports an ERROR that says one of them; nothing in the
     * directory changes. Returns the bytes allocated by all of that (on the thread that ran it).
     */
    private long assertRejected(Path file, Set<String> names, StorageException.Kind kind, String... phrases) {
        Map<String, String> before = snapshot();
        long allocated = allocatedBytesDuring(() -> {
            assertRefusal("open read-only", () -> Vhd.open(file, false), names, kind, phrases);
            assertRefusal("open read-write", () -> Vhd.open(file, true), names, kind, phrases);
            assertRefusal("info", () -> Vhd.info(file), names, kind, phrases);

            VhdCheckReport report;
            try {
                report = Vhd.check(file);
            } catch (Throwable t) {
                throw new AssertionError("check threw " + t + "; it must report the damage instead", t);
            }
            assertThat(report.ok()).as("check ok() for a damaged file; problems: %s", report.problems()).isFalse();
            assertThat(report.problems())
                    .as("check problems must include an ERROR that says one of %s", Arrays.toString(phrases))
                    .anySatisfy(p -> {
                        assertThat(p.severity()).isEqualTo(VhdProblem.Severity.ERROR);
                        assertThat(mentionsAny(p.where() + " " + p.what(), phrases)).isTrue();
                    });
            assertThat(report.problems()).allSatisfy(p -> assertThat(p.toString()).doesNotContain("\n"));
        });
        assertThat(snapshot()).as("files (sha-256 and mtime) after open, info and check").isEqualTo(before);
        return allocated;
    }

    private static void assertRefusal(String what, Supplier<Object> call, Set<String> names,
                                      StorageException.Kind kind, String... phrases) {
        Object result;
        try {
            result = call.get();
        } catch (StorageException e) {
            String message = e.getMessage();
            assertThat(message).as("%s: message", what).isNotBlank().doesNotContain("\n").doesNotContain("\r");
            assertThat(names).as("%s: message \"%s\" names one of these files", what, message)
                    .anyMatch(message::contains);
            assertThat(mentionsAny(message, phrases))
                    .as("%s: message \"%s\" says one of %s", what, message, Arrays.toString(phrases)).isTrue();
            assertThat(e.kind()).as("%s: kind (message \"%s\")", what, message).isEqualTo(kind);
            return;
        } catch (Throwable t) {
            throw new AssertionError(what + " threw " + t + " instead of a StorageException", t);
        }
        if (result instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // the failure below is what matters
            }
        }
        throw new AssertionError(what + " accepted the damaged file (expected a StorageException saying one of "
                + Arrays.toString(phrases) + ")");
    }

    static boolean mentionsAny(String text, String... phrases) {
        String lower = text.toLowerCase(Locale.ROOT);
        return Stream.of(phrases).anyMatch(p -> lower.contains(p.toLowerCase(Locale.ROOT)));
    }

    private static int firstUnallocated(VhdFileSurgery s) {
        for (int i = 0; i < s.maxTableEntries(); i++) {
            if (s.batEntry(i) == -1) {
                return i;
            }
        }
        throw new IllegalStateException("no unallocated BAT entry");
    }

    /** Content hash, size and modification time of every file in the test directory. */
    private Map<String, String> snapshot() {
        Map<String, String> state = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                byte[] content = Files.readAllBytes(p);
                FileTime mtime = Files.getLastModifiedTime(p);
                state.put(p.getFileName().toString(), sha256(content) + " " + content.length + " bytes, mtime "
                        + mtime.toInstant());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return state;
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long allocatedBytesDuring(Runnable action) {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = bean.getCurrentThreadAllocatedBytes();
        action.run();
        return bean.getCurrentThreadAllocatedBytes() - before;
    }

    /** Reads {@code length} bytes at {@code offset}. */
    private static byte[] readAt(VhdDevice device, long offset, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        device.read(offset, buffer);
        return buffer.array();
    }
}
