package org.diskfarm.vhd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Damages valid VHD files in their metadata, driven by a source of choices: a seeded {@link java.util.Random} in
 * {@link VhdMutationPropertyTest}, Jazzer's {@code FuzzedDataProvider} in {@link VhdFuzzTest}. Edits land where a
 * parser looks (footer and its copy, dynamic header, BAT, parent locator entries and data, sector bitmaps) as bit
 * flips or as boundary values (0, 1, 0x7fffffff, 0xffffffff, sizes just past the file) written into the fields; most
 * of the time the checksums are fixed afterwards so that the damage reaches the code behind the checksum check.
 *
 * <p>The valid files are built once per JVM by {@link Vhd#create} in a temporary directory (see {@link Templates});
 * damaged copies exist only in memory and are served through {@link InMemoryVhdFiles} under the same paths.
 */
final class VhdMutator {

    /** Where the choices come from. */
    interface Choices {
        /** A number in {@code [0, bound)}. */
        int pick(int bound);

        long anyLong();

        boolean chance(int percent);
    }

    /** Which file of which kind of disk is damaged. */
    enum Target { DYNAMIC, FIXED, CHILD, PARENT_OF_CHILD, TINY_DYNAMIC }

    /** A damaged case ready to run: the file to open, the in-memory files, the names a message may use. */
    record Case(Path open, InMemoryVhdFiles files, Set<String> names, String description) {
    }

    /** The valid files, built once in a temporary directory that is deleted when the JVM exits. */
    static final class Templates {
        final Path dir;
        final Path dynamic;
        final Path fixed;
        final Path parent;
        final Path child;
        final Path tinyDynamic;
        final byte[] dynamicBytes;
        final byte[] fixedBytes;
        final byte[] parentBytes;
        final byte[] childBytes;
        final byte[] tinyDynamicBytes;

        private Templates() {
            try {
                dir = Files.createTempDirectory("vhd-mutation-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                dynamic = VhdTestImages.dynamic(dir, "d.vhd");
                fixed = VhdTestImages.fixed(dir, "f.vhd");
                parent = VhdTestImages.dynamic(dir, "p.vhd");
                child = VhdTestImages.differencing(dir, "c.vhd", parent);
                tinyDynamic = VhdTestImages.tinyDynamic(dir, "t.vhd");
                dynamicBytes = Files.readAllBytes(dynamic);
                fixedBytes = Files.readAllBytes(fixed);
                parentBytes = Files.readAllBytes(parent);
                childBytes = Files.readAllBytes(child);
                tinyDynamicBytes = Files.readAllBytes(tinyDynamic);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static Templates instance;

        static synchronized Templates get() {
            if (instance == null) {
                instance = new Templates();
            }
            return instance;
        }

        private static void deleteTree(Path dir) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort at exit
            }
        }
    }

    private VhdMutator() {
    }

    /** Builds one damaged case: picks a target, applies one to {@code maxEdits} edits, maybe fixes checksums. */
    static Case damage(Templates t, Choices choices, int maxEdits) {
        Target target = Target.values()[choices.pick(Target.values().length)];
        List<String> log = new ArrayList<>();
        log.add(target.name());
        InMemoryVhdFiles files = new InMemoryVhdFiles();
        Path open;
        Path damaged;
        byte[] original;
        Set<String> names;
        switch (target) {
            case DYNAMIC -> {
                open = damaged = t.dynamic;
                original = t.dynamicBytes;
                names = Set.of("d.vhd");
            }
            case FIXED -> {
                open = damaged = t.fixed;
                original = t.fixedBytes;
                names = Set.of("f.vhd");
            }
            case CHILD -> {
                open = damaged = t.child;
                original = t.childBytes;
                files.put(t.parent, t.parentBytes);
                names = Set.of("c.vhd", "p.vhd");
            }
            case PARENT_OF_CHILD -> {
                open = t.child;
                damaged = t.parent;
                original = t.parentBytes;
                files.put(t.child, t.childBytes);
                names = Set.of("c.vhd", "p.vhd");
            }
            case TINY_DYNAMIC -> {
                open = damaged = t.tinyDynamic;
                original = t.tinyDynamicBytes;
                names = Set.of("t.vhd");
            }
            default -> throw new IllegalStateException();
        }
        VhdFileSurgery s = VhdFileSurgery.of(original);
        boolean dynamicLayout = target != Target.FIXED;
        int edits = 1 + choices.pick(Math.max(1, maxEdits));
        for (int i = 0; i < edits; i++) {
            log.add(edit(s, dynamicLayout, choices));
        }
        if (choices.chance(85)) {
            log.add(fixChecksums(s));
        }
        files.put(damaged, s.bytes());
        return new Case(open, files, names, String.join(", ", log));
    }

    private static String edit(VhdFileSurgery s, boolean dynamicLayout, Choices c) {
        int kind = c.pick(dynamicLayout ? 12 : 4);
        return switch (kind) {
            case 0 -> flip(s, "footer", s.footer(), VhdFileSurgery.FOOTER_SIZE, c);
            case 1 -> footerField(s, c);
            case 2 -> truncate(s, c);
            case 3 -> flip(s, "anywhere", 0, s.length(), c);
            case 4 -> flip(s, "footer copy", 0, VhdFileSurgery.FOOTER_SIZE, c);
            case 5 -> headerField(s, c);
            case 6 -> inHeader(s) ? flip(s, "header", s.header(), VhdFileSurgery.HEADER_SIZE, c) : "no header";
            case 7 -> batEntry(s, c);
            case 8 -> locatorField(s, c);
            case 9 -> locatorData(s, c);
            case 10 -> bitmap(s, c);
            default -> inHeader(s) && inTable(s) ? flip(s, "BAT", s.tableOffset(), s.tableSize(), c) : "no BAT";
        };
    }

    // ---- edits ----------------------------------------------------------------------------------------------------

    private static String flip(VhdFileSurgery s, String region, long start, long length, Choices c) {
        if (length <= 0 || start < 0 || start + length > s.length()) {
            return "no " + region;
        }
        int at = (int) (start + c.pick((int) Math.min(length, Integer.MAX_VALUE)));
        int bit = c.pick(8);
        s.putU8(at, s.u8(at) ^ (1 << bit));
        return "flip bit " + bit + " at " + at + " (" + region + ")";
    }

    private static final int[][] FOOTER_FIELDS = {
            // offset, width
            {VhdFileSurgery.F_COOKIE, 8}, {VhdFileSurgery.F_FEATURES, 4}, {VhdFileSurgery.F_VERSION, 4},
            {VhdFileSurgery.F_DATA_OFFSET, 8}, {VhdFileSurgery.F_TIMESTAMP, 4},
            {VhdFileSurgery.F_CREATOR_APP, 4}, {VhdFileSurgery.F_ORIGINAL_SIZE, 8},
            {VhdFileSurgery.F_CURRENT_SIZE, 8}, {VhdFileSurgery.F_GEOMETRY, 2}, {VhdFileSurgery.F_GEOMETRY + 2, 1},
            {VhdFileSurgery.F_GEOMETRY + 3, 1}, {VhdFileSurgery.F_DISK_TYPE, 4}, {VhdFileSurgery.F_CHECKSUM, 4},
            {VhdFileSurgery.F_UNIQUE_ID, 8}, {VhdFileSurgery.F_SAVED_STATE, 1},
    };

    private static final int[][] HEADER_FIELDS = {
            {VhdFileSurgery.H_COOKIE, 8}, {VhdFileSurgery.H_DATA_OFFSET, 8}, {VhdFileSurgery.H_TABLE_OFFSET, 8},
            {VhdFileSurgery.H_VERSION, 4}, {VhdFileSurgery.H_MAX_TABLE_ENTRIES, 4},
            {VhdFileSurgery.H_BLOCK_SIZE, 4}, {VhdFileSurgery.H_CHECKSUM, 4},
            {VhdFileSurgery.H_PARENT_UNIQUE_ID, 8}, {VhdFileSurgery.H_PARENT_TIMESTAMP, 4},
            {VhdFileSurgery.H_PARENT_NAME, 2}, {VhdFileSurgery.H_PARENT_NAME + 2, 4},
    };

    private static String footerField(VhdFileSurgery s, Choices c) {
        int[] field = FOOTER_FIELDS[c.pick(FOOTER_FIELDS.length)];
        boolean both = c.chance(70);
        long value = boundary(s, field[1], c);
        for (int at : both ? s.footers() : new int[] {s.footer()}) {
            put(s, at + field[0], field[1], value);
        }
        return "footer" + (both ? "s" : "") + " field " + field[0] + " = 0x" + Long.toHexString(value);
    }

    private static String headerField(VhdFileSurgery s, Choices c) {
        if (!inHeader(s)) {
            return "no header";
        }
        int[] field = HEADER_FIELDS[c.pick(HEADER_FIELDS.length)];
        long value = boundary(s, field[1], c);
        put(s, s.header() + field[0], field[1], value);
        return "header field " + field[0] + " = 0x" + Long.toHexString(value);
    }

    private static String batEntry(VhdFileSurgery s, Choices c) {
        if (!inHeader(s) || !inTable(s) || s.maxTableEntries() <= 0) {
            return "no BAT";
        }
        int entries = Math.min(s.maxTableEntries(), s.tableSize() / 4);
        int index = c.pick(entries);
        List<Integer> allocated = s.allocatedBlocks();
        int value;
        int how = c.pick(4);
        if (how == 0 && !allocated.isEmpty()) {
            // Into (or onto) another block.
            int other = s.batEntry(allocated.get(c.pick(allocated.size())));
            value = other + c.pick(3) - 1;
        } else if (how == 1) {
            // Into the metadata at the start of the file.
            value = c.pick(Math.max(1, (s.tableOffset() + s.tableSize()) / VhdFileSurgery.SECTOR + 1));
        } else {
            value = (int) boundary(s, 4, c);
        }
        s.setBatEntry(index, value);
        return "BAT[" + index + "] = 0x" + Integer.toHexString(value);
    }

    private static String locatorField(VhdFileSurgery s, Choices c) {
        if (!inHeader(s)) {
            return "no header";
        }
        int i = c.pick(VhdFileSurgery.LOCATOR_COUNT);
        int[][] fields = {{VhdFileSurgery.L_PLATFORM_CODE, 4}, {VhdFileSurgery.L_DATA_SPACE, 4},
                {VhdFileSurgery.L_DATA_LENGTH, 4}, {VhdFileSurgery.L_DATA_OFFSET, 8}};
        int[] field = fields[c.pick(fields.length)];
        long value = field[0] == VhdFileSurgery.L_PLATFORM_CODE && c.chance(50)
                ? (c.chance(50) ? VhdFileSurgery.W2KU : VhdFileSurgery.W2RU)
                : boundary(s, field[1], c);
        put(s, s.locator(i) + field[0], field[1], value);
        return "locator " + i + " field " + field[0] + " = 0x" + Long.toHexString(value);
    }

    private static String locatorData(VhdFileSurgery s, Choices c) {
        if (!inHeader(s)) {
            return "no header";
        }
        List<Integer> used = s.usedLocators();
        if (used.isEmpty()) {
            return "no locator";
        }
        int[] range = s.locatorData(used.get(c.pick(used.size())));
        if (range[1] <= range[0]) {
            return "no locator data";
        }
        if (c.chance(50)) {
            // An odd character: a NUL, a path separator, a lone surrogate half, or a dot.
            int at = range[0] + (c.pick(range[1] - range[0]) & ~1);
            int[] chars = {0, '/', '\\', 0xD800, 0xDC00, '.', ':', 0xFFFF};
            int ch = chars[c.pick(chars.length)];
            if (at + 1 < s.length()) {
                s.putU8(at, ch & 0xFF);
                s.putU8(at + 1, ch >>> 8);
            }
            return "locator data char 0x" + Integer.toHexString(ch) + " at " + at;
        }
        return flip(s, "locator data", range[0], range[1] - range[0], c);
    }

    private static String bitmap(VhdFileSurgery s, Choices c) {
        if (!inHeader(s) || !inTable(s) || s.blockSize() <= 0) {
            return "no bitmap";
        }
        List<Integer> allocated = s.allocatedBlocks();
        if (allocated.isEmpty()) {
            return "no allocated block";
        }
        long start = (s.batEntry(allocated.get(c.pick(allocated.size()))) & 0xFFFFFFFFL) * VhdFileSurgery.SECTOR;
        if (c.chance(30) && start + VhdFileSurgery.SECTOR <= s.length()) {
            byte fill = c.chance(50) ? (byte) 0xFF : 0;
            for (int i = 0; i < VhdFileSurgery.SECTOR; i++) {
                s.putU8((int) start + i, fill);
            }
            return "bitmap at " + start + " all 0x" + Integer.toHexString(fill & 0xFF);
        }
        return flip(s, "bitmap", start, s.bitmapSize(), c);
    }

    private static String truncate(VhdFileSurgery s, Choices c) {
        int length = s.length();
        int[] cuts = {0, 1, 100, 511, 512, 513, length - 512, length - 1, length / 2,
                inHeader(s) && inTable(s) ? s.tableOffset() + s.tableSize() / 2 : length / 3,
                c.pick(Math.max(1, length))};
        int cut = Math.max(0, Math.min(length, cuts[c.pick(cuts.length)]));
        s.truncate(cut);
        return "truncate to " + cut;
    }

    private static String fixChecksums(VhdFileSurgery s) {
        if (s.length() < VhdFileSurgery.FOOTER_SIZE) {
            return "no checksums to fix";
        }
        StringBuilder done = new StringBuilder("fix checksums: footer");
        for (int at : s.footers()) {
            s.fixFooterChecksum(at);
        }
        if (inHeader(s)) {
            s.fixHeaderChecksum();
            done.append(", header");
        }
        return done.toString();
    }

    // ---- values ---------------------------------------------------------------------------------------------------

    /** A boundary value for a field of {@code width} bytes: 0, 1, max, all ones, the file's size and just past it. */
    static long boundary(VhdFileSurgery s, int width, Choices c) {
        long length = s.length();
        long[] values = {0, 1, 0x7fffffffL, 0xffffffffL, 0x80000000L, 512, 511, 513, length, length + 512,
                length - 512, length / 512, length / 512 + 1, length / 512 - 1, Long.MAX_VALUE, -1L, 1L << 40,
                1L << 32, 0x1000, 0x200000, 0x10000000, c.anyLong()};
        long value = values[c.pick(values.length)];
        return width >= 8 ? value : value & ((1L << (8 * width)) - 1);
    }

    private static void put(VhdFileSurgery s, int at, int width, long value) {
        if (at < 0 || at + width > s.length()) {
            return;
        }
        switch (width) {
            case 1 -> s.putU8(at, (int) value);
            case 2 -> s.putU16(at, (int) value);
            case 4 -> s.putU32(at, (int) value);
            default -> s.putU64(at, value);
        }
    }

    private static boolean inHeader(VhdFileSurgery s) {
        if (s.length() < VhdFileSurgery.FOOTER_SIZE) {
            return false;
        }
        long header = s.u64(s.footer() + VhdFileSurgery.F_DATA_OFFSET);
        return header >= 0 && header <= s.length() - VhdFileSurgery.FOOTER_SIZE - VhdFileSurgery.HEADER_SIZE;
    }

    private static boolean inTable(VhdFileSurgery s) {
        long table = s.u64(s.header() + VhdFileSurgery.H_TABLE_OFFSET);
        long entries = s.maxTableEntries() & 0xFFFFFFFFL;
        return table >= 0 && table <= s.length() - (entries * 4 + 511) / 512 * 512;
    }
}
