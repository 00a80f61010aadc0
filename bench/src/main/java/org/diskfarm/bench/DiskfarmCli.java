package org.diskfarm.bench;

import java.io.RandomAccessFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The diskfarm command line as the streaming benchmarks (NBD, iSCSI) use it to prepare their vDisks: import, vdisk
 * set; and the image they share.
 *
 * <p>Threads: stateless; the harness calls it from one thread.
 */
record DiskfarmCli(Path java, Path jar) {
    /** Runs {@code diskfarm ARGS}, which must succeed. */
    void run(Path log, String... args) {
        List<String> command = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-jar",
                jar.toString()));
        command.addAll(List.of(args));
        Processes.runChecked(command, log);
    }

    /**
     * The command line of {@code diskfarm serve} on 127.0.0.1 with the data folder {@code data}, the given ports and
     * JVM options, and {@code extra} options.
     */
    List<String> serve(String jvmOptions, Path data, int nbdPort, int httpPort, int iscsiPort, String... extra) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(List.of(jvmOptions.strip().split("\\s+")));
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "serve", "--data",
                data.toString(), "--bind", "127.0.0.1", "--nbd-port", Integer.toString(nbdPort), "--http-port",
                Integer.toString(httpPort), "--iscsi-port", Integer.toString(iscsiPort)));
        if (!List.of(extra).contains("--name")) {
            command.addAll(List.of("--name", "bench"));
        }
        command.addAll(List.of(extra));
        return command;
    }

    /** The API token the farm's first server saved in {@code DATA/api-token}. */
    static String token(Path data) {
        try {
            return Files.readString(data.resolve("api-token")).strip();
        } catch (IOException e) {
            throw new IllegalStateException(data.resolve("api-token") + ": no API token: " + e.getMessage(), e);
        }
    }

    /** {@code diskfarm vdisk set STORE/NAME.vhd OPTIONS}: the mode and cache of a vDisk. */
    void setMode(Path store, String name, Path log, String... options) {
        List<String> args = new ArrayList<>(List.of("vdisk", "set", store.resolve(name + ".vhd").toString()));
        args.addAll(List.of(options));
        run(log, args.toArray(String[]::new));
    }

    /**
     * Writes the benchmark's raw image ({@link NbdImage}) of {@code imageSize} bytes, imports it into the VHD
     * {@code base}, grows the raw file to the VHD's virtual size (CHS rounding) as a hole, checks with qemu-img that
     * both hold the same bytes, and returns that size.
     */
    long prepareImage(Path image, Path base, long imageSize, Path log) {
        Processes.delete(image);
        NbdImage.write(image, imageSize);
        run(log, "vdisk", "import", image.toString(), base.toString());
        long size = virtualSize(base, log);
        try (RandomAccessFile raf = new RandomAccessFile(image.toFile(), "rw")) {
            raf.setLength(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Processes.runChecked(List.of("qemu-img", "compare", "-q", "-f", "raw", "-F", "vpc", image.toString(),
                base.toString()), log);
        return size;
    }

    private static long virtualSize(Path vhd, Path log) {
        Processes.Run run = Processes.run(List.of("qemu-img", "info", "--output=json", vhd.toString()), log);
        Matcher m = Pattern.compile("\"virtual-size\"\\s*:\\s*(\\d+)").matcher(run.output());
        if (!run.ok() || !m.find()) {
            throw new IllegalStateException("qemu-img info " + vhd + ": " + run.describe());
        }
        return Long.parseLong(m.group(1));
    }
}
