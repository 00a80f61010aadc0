package org.diskfarm.cli;

import org.diskfarm.block.FileStorage;
import org.diskfarm.store.ByteSize;
import org.diskfarm.vhd.Vhd;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code diskfarm demo [DIR]}: the Quick start. Builds a small master image, imports it into a vDisk store, inspects
 * and verifies it, creates a version over it, exports that, and shows that every copy has the same content hash. Each
 * step runs the real command, printed first as {@code $ diskfarm ...} so that it can be tried by hand.
 *
 * <p>DIR is created if needed. The demo owns only the files it names ({@link #ownedFiles}): it deletes and rebuilds
 * them on every run and never touches anything else in DIR.
 */
@Command(name = "demo",
        description = {"Build a demo vDisk store in DIR (default ./demo) and walk through the vDisk tools.",
                "Safe to run again: it rebuilds only the files it made."})
final class DemoCommand implements Callable<Integer> {
    static final long MASTER_SIZE_REQUESTED = 64L << 20;

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(paramLabel = "DIR", arity = "0..1", defaultValue = "demo",
            description = "Where to build the demo (default: ${DEFAULT-VALUE}).")
    Path dir;

    private PrintWriter out;

    @Override
    public Integer call() throws IOException {
        out = spec.commandLine().getOut();
        Path store = dir.resolve("store");
        Path master = dir.resolve("master.raw");
        Path vdisk = store.resolve("demo.vhd");
        Path version = store.resolve("demo.1.vhd");
        Path export = dir.resolve("export.raw");

        out.println("diskfarm demo: a small vDisk store in " + dir + ", built with the offline vDisk tools.");
        Files.createDirectories(store);
        if (removeOwnedFiles()) {
            out.println("(removed the files of an earlier demo run)");
        }
        step(1, "Build a master image: a raw disk with a boot sector and some data, mostly empty (sparse).");
        long size = Vhd.roundedSize(MASTER_SIZE_REQUESTED);
        long data = MasterImage.write(master, size);
        out.println("wrote " + master + ": " + ByteSize.human(size) + ", of which " + ByteSize.human(data)
                + " is data");

        step(2, "Import it into a vDisk in the store: the data is stored, the empty space is not.");
        run("vdisk", "import", master.toString(), vdisk.toString());
        step(3, "Look at the vDisk: the VHD file and its properties (" + vdisk.getFileName().toString()
                .replace(".vhd", ".pvp") + ").");
        run("vdisk", "info", vdisk.toString());
        step(4, "Verify its structure.");
        run("vdisk", "verify", vdisk.toString());
        step(5, "Create a version: a differencing disk that reads as its parent until a device writes to it.");
        run("vdisk", "create", version.toString(), "--parent", vdisk.toString());
        step(6, "Export the version to a sparse raw file.");
        run("vdisk", "export", version.toString(), export.toString());
        step(7, "Compare content hashes: they depend only on the bytes each disk reads.");
        Set<String> hashes = new LinkedHashSet<>();
        for (Path file : List.of(master, vdisk, version, export)) {
            hashes.add(run("vdisk", "hash", file.toString()).strip());
        }
        if (hashes.size() != 1) {
            throw new CommandFailure("demo: the copies hash differently: " + hashes);
        }
        out.println();
        out.println("All four hash the same: one disk's content, stored as a raw file, a dynamic VHD, a version "
                + "over it, and a sparse raw export.");
        tryNext(vdisk, version);
        return 0;
    }

    private void tryNext(Path vdisk, Path version) {
        out.println();
        out.println("Try next:");
        out.println("  diskfarm vdisk info " + version + "        # the version and its parent chain");
        out.println("  diskfarm vdisk info --json " + vdisk);
        out.println("  diskfarm vdisk set " + vdisk + " --mode standard --cache ram-overflow --cache-size 2G");
        out.println("  diskfarm vdisk create " + dir.resolve("store").resolve("blank.vhd") + " --size 8G");
        out.println("  qemu-img info " + vdisk + "        # the same file, read by QEMU");
        out.println("See docs/cli.md for every command.");
    }

    private void step(int number, String what) {
        out.println();
        out.println(number + ". " + what);
    }

    /** Runs one diskfarm command in-process, echoing it and its output; returns its output; fails if it fails. */
    private String run(String... args) {
        out.println("$ diskfarm " + String.join(" ", args));
        out.flush();
        StringWriter captured = new StringWriter();
        List<String> command = new ArrayList<>(List.of(args));
        if (debug()) {
            command.add(0, DiskfarmCommand.DEBUG);
        }
        CommandLine nested = Main.commandLine(new PrintWriter(captured, true), spec.commandLine().getErr());
        int status = nested.execute(command.toArray(String[]::new));
        out.print(captured);
        if (status != 0) {
            throw new CommandFailure("demo: `diskfarm " + String.join(" ", args) + "` failed (exit " + status + ")");
        }
        return captured.toString();
    }

    private boolean debug() {
        for (CommandLine c = spec.commandLine(); c != null; c = c.getParent()) {
            if (c.getParseResult() != null && c.getParseResult().hasMatchedOption(DiskfarmCommand.DEBUG)) {
                return true;
            }
        }
        return false;
    }

    /** The files the demo makes, relative to DIR, with the temporary names of interrupted runs. */
    static List<String> ownedFiles() {
        List<String> names = new ArrayList<>();
        for (String name : List.of("master.raw", "export.raw", "store/demo.vhd", "store/demo.pvp",
                "store/demo.1.vhd", "store/demo.1.pvp")) {
            names.add(name);
            int slash = name.lastIndexOf('/') + 1;
            names.add(name.substring(0, slash) + "." + name.substring(slash) + ".partial");
        }
        return names;
    }

    private boolean removeOwnedFiles() throws IOException {
        boolean removed = false;
        for (String name : ownedFiles()) {
            removed |= Files.deleteIfExists(dir.resolve(name));
        }
        return removed;
    }

    /** The demo's master image: deterministic content, so that every run shows the same hash. */
    static final class MasterImage {
        private MasterImage() {
        }

        /** Writes a sparse raw image of {@code size} bytes and returns the bytes of data in it. */
        static long write(Path file, long size) {
            long data = 0;
            try (FileStorage storage = FileStorage.open(file, FileStorage.Mode.CREATE_NEW)) {
                storage.truncate(size);
                data += put(storage, 0, bootSector());
                data += put(storage, 1L << 20, random(4 << 20, 1));
                data += put(storage, 16L << 20, text(256 << 10));
                data += put(storage, 40L << 20, counting(2 << 20));
                data += put(storage, size - (64 << 10), random(64 << 10, 2));
                storage.force(true);
            }
            return data;
        }

        private static long put(FileStorage storage, long offset, byte[] bytes) {
            storage.write(offset, ByteBuffer.wrap(bytes));
            return bytes.length;
        }

        /** An MBR with one Linux partition covering the disk after the first MiB, and the 55 AA signature. */
        private static byte[] bootSector() {
            byte[] sector = new byte[512];
            byte[] banner = "diskfarm demo master image".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(banner, 0, sector, 3, banner.length);
            ByteBuffer entry = ByteBuffer.wrap(sector, 446, 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            entry.put((byte) 0x80).put(new byte[3]).put((byte) 0x83).put(new byte[3]).putInt(2048).putInt(0);
            sector[510] = 0x55;
            sector[511] = (byte) 0xAA;
            return sector;
        }

        private static byte[] random(int length, long seed) {
            byte[] bytes = new byte[length];
            new Random(seed).nextBytes(bytes);
            return bytes;
        }

        private static byte[] text(int length) {
            StringBuilder text = new StringBuilder();
            for (int line = 0; text.length() < length; line++) {
                text.append("diskfarm demo: line ").append(line).append(" of a file in the master image\n");
            }
            return text.substring(0, length).getBytes(StandardCharsets.US_ASCII);
        }

        private static byte[] counting(int length) {
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = (byte) (i * 31 + (i >>> 12));
            }
            return bytes;
        }
    }
}
