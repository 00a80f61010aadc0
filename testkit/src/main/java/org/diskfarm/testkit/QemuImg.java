package org.diskfarm.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The real {@code qemu-img}, run as a process: the reference reader and writer of VHD files (its format name for VHD
 * is {@code vpc}). Tests use it to prove that what diskfarm writes, QEMU reads, and the other way round.
 *
 * <p>Every call fails with an {@link AssertionError} whose message holds the command line and qemu-img's stderr when
 * qemu-img exits with an unexpected status. If qemu-img is not installed, {@link #locate()} fails loudly; tests never
 * skip silently.
 *
 * <p>Threads: stateless apart from the executable's path; safe from any thread.
 */
public final class QemuImg {
    /** Long enough for anything a test does with a few hundred MiB; a hung qemu-img fails the test, not hangs it. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    /** The two kinds of VHD qemu-img writes ({@code -o subformat=...}). */
    public enum Subformat {
        DYNAMIC, FIXED;

        public String option() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What {@code qemu-img info --output=json} says.
     *
     * @param virtualSize bytes of the virtual disk
     * @param format      the format qemu-img used ({@code vpc}, {@code raw})
     * @param actualSize  bytes the file occupies on disk, or -1 if qemu-img did not say
     * @param clusterSize block size of a dynamic VHD, or -1 if qemu-img did not say (fixed disks, raw files)
     * @param json        the whole document, parsed
     */
    public record Info(long virtualSize, String format, long actualSize, long clusterSize, Map<String, Object> json) {
    }

    private final Path executable;
    private final Duration timeout;

    private QemuImg(Path executable, Duration timeout) {
        this.executable = executable;
        this.timeout = timeout;
    }

    /** The installed qemu-img; fails (never skips) if there is none. */
    public static QemuImg locate() {
        Path found = ClientProcess.find("qemu-img");
        if (found == null) {
            throw new AssertionError("qemu-img is not installed, and these tests need the real one: the test command "
                    + "installs it with `apt-get install qemu-utils` (Debian/Ubuntu package qemu-utils)");
        }
        return new QemuImg(found, DEFAULT_TIMEOUT);
    }

    public QemuImg withTimeout(Duration newTimeout) {
        return new QemuImg(executable, Objects.requireNonNull(newTimeout));
    }

    public Path executable() {
        return executable;
    }

    /** The first line of {@code qemu-img --version}, for example {@code "qemu-img version 7.2.22 (Debian ...)"}. */
    public String version() {
        return check(run(List.of("--version"))).stdout().lines().findFirst().orElse("").strip();
    }

    /**
     * {@code qemu-img create -f vpc -o subformat=...,force_size=... file size}. Without force_size qemu-img rounds the
     * size up to what the CHS geometry represents; with it, it keeps the size (rounded to sectors) and marks the file
     * so that readers take the footer's Current Size ({@code creator "qem2"}).
     */
    public void createVpc(Path file, Subformat subformat, long size, boolean forceSize) {
        check(run(List.of("create", "-q", "-f", "vpc", "-o", vpcOptions(subformat, forceSize), file.toString(),
                Long.toString(size))));
    }

    /** {@code qemu-img create -f raw file size}: a sparse file of zeros. */
    public void createRaw(Path file, long size) {
        check(run(List.of("create", "-q", "-f", "raw", file.toString(), Long.toString(size))));
    }

    /** {@code qemu-img convert -f raw -O vpc -o subformat=...,force_size=... raw vhd}. */
    public void convertRawToVpc(Path raw, Path vhd, Subformat subformat, boolean forceSize) {
        check(run(List.of("convert", "-q", "-f", "raw", "-O", "vpc", "-o", vpcOptions(subformat, forceSize),
                raw.toString(), vhd.toString())));
    }

    /** {@code qemu-img convert -f vpc -O raw vhd raw}: what QEMU reads from a VHD, as a (sparse) raw file. */
    public void convertVpcToRaw(Path vhd, Path raw) {
        check(convertVpcToRawResult(vhd, raw));
    }

    /** Like {@link #convertVpcToRaw} but returns the result whatever the exit status, for probing what QEMU accepts. */
    public ClientProcess.Result convertVpcToRawResult(Path vhd, Path raw) {
        return run(List.of("convert", "-q", "-f", "vpc", "-O", "raw", vhd.toString(), raw.toString()));
    }

    /** Any {@code qemu-img convert}: {@code -f from -O to [options...] source target}. */
    public void convert(Path source, String fromFormat, Path target, String toFormat, String... targetOptions) {
        List<String> args = new ArrayList<>(List.of("convert", "-q", "-f", fromFormat, "-O", toFormat));
        if (targetOptions.length > 0) {
            args.add("-o");
            args.add(String.join(",", targetOptions));
        }
        args.add(source.toString());
        args.add(target.toString());
        check(run(args));
    }

    /** {@code qemu-img info -f format --output=json file}. */
    public Info info(Path file, String format) {
        String out = check(run(List.of("info", "-f", format, "--output=json", file.toString()))).stdout();
        Object parsed;
        try {
            parsed = Json.parse(out);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("qemu-img info printed something that is not JSON (" + e.getMessage() + "): "
                    + out);
        }
        if (!(parsed instanceof Map<?, ?> raw)) {
            throw new AssertionError("qemu-img info printed JSON that is not an object: " + out);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) raw;
        return new Info(number(json, "virtual-size", out), String.valueOf(json.get("format")),
                optionalNumber(json, "actual-size"), optionalNumber(json, "cluster-size"), json);
    }

    /**
     * {@code qemu-img compare -f formatA -F formatB a b}: true if both read the same (exit status 0), false if they
     * differ (1); fails on anything else (2 and up: an error). Note that qemu-img compare calls images of different
     * sizes equal when the longer one reads as zeros past the shorter one's end: compare sizes separately.
     */
    public boolean compare(Path a, String formatA, Path b, String formatB) {
        ClientProcess.Result result = run(List.of("compare", "-q", "-f", formatA, "-F", formatB, a.toString(),
                b.toString()));
        return switch (result.exitCode()) {
            case 0 -> true;
            case 1 -> false;
            default -> throw new AssertionError("qemu-img compare failed: " + result.describe());
        };
    }

    /** Runs qemu-img with {@code args} and returns the result whatever the exit status. */
    public ClientProcess.Result run(List<String> args) {
        List<String> command = new ArrayList<>(args.size() + 1);
        command.add(executable.toString());
        command.addAll(args);
        return ClientProcess.run(command, timeout);
    }

    private static ClientProcess.Result check(ClientProcess.Result result) {
        if (result.exitCode() != 0) {
            throw new AssertionError("qemu-img failed: " + result.describe());
        }
        return result;
    }

    private static String vpcOptions(Subformat subformat, boolean forceSize) {
        return "subformat=" + subformat.option() + ",force_size=" + (forceSize ? "on" : "off");
    }

    private static long number(Map<String, Object> json, String key, String document) {
        if (!(json.get(key) instanceof Long value)) {
            throw new AssertionError("qemu-img info gave no integer \"" + key + "\": " + document);
        }
        return value;
    }

    private static long optionalNumber(Map<String, Object> json, String key) {
        return json.get(key) instanceof Long value ? value : -1;
    }
}
