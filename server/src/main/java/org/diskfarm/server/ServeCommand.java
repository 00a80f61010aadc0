package org.diskfarm.server;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.diskfarm.farm.TargetDevice;
import org.diskfarm.iscsi.IscsiServerOptions;
import org.diskfarm.nbd.NbdServerOptions;
import org.diskfarm.store.ByteSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code diskfarm serve}: runs one farm server in the foreground until SIGTERM or Ctrl-C, then stops it cleanly (see
 * {@link FarmServer#close}). Logs go to stderr; stdout gets the lines a person or a script needs: where the server
 * can be reached, and a line with {@code ready} once every listener is up.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run a farm server: stream the vDisks of DIR/store over NBD to clients and target devices.",
                "Devices and their vDisks are listed in DIR/devices.csv (header: mac,name,vdisk).",
                "Stops cleanly on SIGTERM or Ctrl-C."})
class ServeCommand implements Callable<Integer> {
    static final String DB_PASSWORD_ENV = "DISKFARM_DB_PASSWORD";
    static final String API_TOKEN_ENV = "DISKFARM_API_TOKEN";

    /** The environment (tests replace it). */
    static java.util.function.UnaryOperator<String> env = System::getenv;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The configuration file (default: DIR/diskfarm.toml if it exists). Its keys are the long "
                    + "option names; options given here win.")
    Path config;

    @Option(names = "--db", paramLabel = "URL",
            description = "The farm database shared by the servers of a farm: jdbc:postgresql://HOST[:PORT]/DB "
                    + "(default: the embedded file DIR/farm.db). The password comes from " + DB_PASSWORD_ENV
                    + " or the config file, never from the command line.")
    String db;

    @Option(names = "--db-user", paramLabel = "USER", description = "The farm database's user.")
    String dbUser;

    @Option(names = "--lease", paramLabel = "TIME", defaultValue = "5s",
            description = "A server that does not renew its lease this long is marked down by the others "
                    + "(default: ${DEFAULT-VALUE}; e.g. 3s, 1500ms).")
    String lease;

    @Option(names = "--scan-interval", paramLabel = "TIME", defaultValue = "10s",
            description = "How often the store folders are scanned for new and changed vDisks "
                    + "(default: ${DEFAULT-VALUE}).")
    String scanInterval;

    @Option(names = "--advertise-address", paramLabel = "ADDR",
            description = "The address devices and other servers reach this server at, put into boot scripts, "
                    + "SendTargets answers and DHCP offers (default: the bind address; when bound to every address, "
                    + "the first address of an interface that is up and not loopback).")
    String advertiseAddress;

    @Option(names = "--tftp", description = "Serve the boot folder over TFTP (off by default: it answers on the "
            + "network).")
    boolean tftp;

    @Option(names = "--tftp-port", paramLabel = "PORT", defaultValue = "69",
            description = "TFTP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int tftpPort;

    @Option(names = "--boot-folder", paramLabel = "DIR",
            description = "Where TFTP finds the iPXE binaries (undionly.kpxe, ipxe.efi) first (default: DIR/boot); "
                    + "then in Debian's ipxe package, /usr/lib/ipxe.")
    Path bootFolder;

    @Option(names = "--proxy-dhcp", description = "Answer PXE clients with boot information, beside the network's "
            + "own DHCP server (never hands out addresses; off by default).")
    boolean proxyDhcp;

    @Option(names = "--dhcp-port", paramLabel = "PORT", defaultValue = "67",
            description = "The proxy DHCP's port (default: ${DEFAULT-VALUE}).")
    int dhcpPort;

    @Option(names = "--pxe-port", paramLabel = "PORT", defaultValue = "4011",
            description = "The PXE boot server port (default: ${DEFAULT-VALUE}).")
    int pxePort;

    @Option(names = "--auto-add-collection", paramLabel = "NAME",
            description = "Add unknown devices that boot to this collection (with --auto-add-vdisk), as PVS's "
                    + "auto-add does.")
    String autoAddCollection;

    @Option(names = "--auto-add-vdisk", paramLabel = "VDISK", description = "The vDisk auto-added devices boot.")
    String autoAddVDisk;

    @Option(names = "--api-reads", paramLabel = "WHO", defaultValue = "loopback",
            description = "Who may read the API without a token: open, loopback or token (default: "
                    + "${DEFAULT-VALUE}). Changes always need the token.")
    String apiReads;

    @Option(names = "--data", paramLabel = "DIR",
            description = "The data folder (store/, cache/, devices.csv). Default: ./demo-farm with --demo, "
                    + "else required.")
    Path data;

    @Option(names = "--name", paramLabel = "NAME", description = "This server's name in the farm (default: host name).")
    String name;

    @Option(names = "--bind", paramLabel = "ADDR",
            description = "Address to listen on (default: 0.0.0.0, or 127.0.0.1 with --demo).")
    String bind;

    @Option(names = "--nbd-port", paramLabel = "PORT", defaultValue = "10809",
            description = "NBD port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int nbdPort;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080",
            description = "HTTP API port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int httpPort;

    @Option(names = "--iscsi-port", paramLabel = "PORT", defaultValue = "3260",
            description = "iSCSI port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int iscsiPort;

    @Option(names = "--nbd-zero-copy-min", paramLabel = "SIZE", defaultValue = "64K",
            description = "NBD READs of at least SIZE are sent from the file with sendfile (default: ${DEFAULT-VALUE}; "
                    + "'off' copies every read).")
    String zeroCopyMin;

    @Option(names = "--nbd-inline-read-max", paramLabel = "SIZE", defaultValue = "64K",
            description = "NBD READs of at most SIZE are served on the network thread, without a thread hand-off "
                    + "(default: ${DEFAULT-VALUE}; 0 turns it off).")
    String inlineReadMax;

    @Option(names = "--nbd-poll-window", paramLabel = "TIME", defaultValue = "50us",
            description = "A network thread that runs out of work polls for new requests this long before it sleeps: "
                    + "replies to one-at-a-time clients come sooner, for up to TIME of CPU each time a thread runs "
                    + "dry (default: ${DEFAULT-VALUE}; e.g. 20us, 1ms; 'off' sleeps at once).")
    String pollWindow;

    @Option(names = "--iscsi-poll-window", paramLabel = "TIME", defaultValue = "50us",
            description = "As --nbd-poll-window, for the iSCSI target's network threads (default: ${DEFAULT-VALUE}).")
    String iscsiPollWindow;

    @Option(names = "--demo",
            description = "Put a demo vDisk store in the data folder first if it holds no vDisks (two vDisks, "
                    + "two devices), then serve it.")
    boolean demo;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Path guess = data != null ? data : demo ? Path.of("demo-farm") : defaultData();
        ConfigFile file = ServeConfig.apply(spec, config, guess);
        Path folder = data != null ? data : guess; // --config may name the data folder
        if (folder == null) {
            throw new IllegalArgumentException("serve needs --data DIR (or --demo)");
        }
        prepare(folder, out);
        if (demo) {
            DemoStore.prepare(folder, out);
        }
        NbdServerOptions nbd = NbdServerOptions.DEFAULTS
                .withZeroCopyMinBytes(zeroCopyMin.equalsIgnoreCase("off") ? Integer.MAX_VALUE
                        : bytes("--nbd-zero-copy-min", zeroCopyMin))
                .withInlineReadMaxBytes(bytes("--nbd-inline-read-max", inlineReadMax))
                .withPollWindow(micros("--nbd-poll-window", pollWindow));
        ServerSettings settings = new ServerSettings(folder, name != null ? name : hostName(),
                bind != null ? bind : demo ? "127.0.0.1" : "0.0.0.0", nbdPort, httpPort, iscsiPort, nbd,
                IscsiServerOptions.DEFAULTS.withPollWindow(micros("--iscsi-poll-window", iscsiPollWindow)),
                ServeConfig.farm(folder, file, db, dbUser, lease, scanInterval, apiReads),
                new BootSettings(advertiseAddress, tftp, tftpPort, List.of(bootFolder != null ? bootFolder
                        : folder.resolve("boot"), BootSettings.DEBIAN_IPXE), proxyDhcp, dhcpPort, pxePort,
                        autoAddCollection, autoAddVDisk));
        FarmServer server = FarmServer.start(settings);
        server.newApiToken().ifPresent(token -> ServeConfig.showToken(out, server.tokenFile(), token));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "diskfarm-shutdown"));
        printWhere(out, server);
        stopped.await();
        return 0;
    }

    /** The data folder when none is given ({@code up} has one). */
    Path defaultData() {
        return null;
    }

    /** Prepares a data folder before the start ({@code up} writes a configuration template). */
    void prepare(Path folder, PrintWriter out) {
    }

    private static void printWhere(PrintWriter out, FarmServer server) {
        String host = server.settings().bind().equals("0.0.0.0") ? "127.0.0.1" : server.settings().bind();
        String nbd = "nbd://" + host + ":" + server.nbdPort();
        String http = "http://" + host + ":" + server.httpPort();
        String iscsi = "iscsi://" + host + ":" + server.iscsiPort();
        out.println("diskfarm server " + server.name() + " ready: NBD " + nbd + "  HTTP " + http + "/api/v1/health"
                + "  iSCSI " + iscsi);
        if (server.tftpPort() > 0) {
            out.println("  boot    tftp://" + server.address() + ":" + server.tftpPort() + "/undionly.kpxe   "
                    + server.httpBaseUrl() + "/boot.ipxe");
        }
        List<TargetDevice> devices = server.directory().all();
        for (org.diskfarm.store.VDiskFiles vdisk : server.folders().vdisks()) {
            String mode;
            try {
                mode = server.folders().properties(vdisk).mode().label();
                mode = mode + (mode.equals("standard") ? ", read-only" : ", read-write");
            } catch (RuntimeException e) {
                mode = e.getMessage();
            }
            out.println("  vDisk   " + nbd + "/" + vdisk.name() + "   " + iscsi + "/"
                    + IscsiExports.targetName(vdisk.name()) + "/0   (" + mode + ")");
        }
        for (TargetDevice device : devices) {
            out.println("  device  " + nbd + "/" + device.mac() + "   " + iscsi + "/"
                    + IscsiExports.targetName(device.mac().toString()) + "/0   (" + device.name() + ", vDisk "
                    + device.vdisk() + ")");
        }
        if (!devices.isEmpty()) {
            TargetDevice first = devices.getFirst();
            out.println("Try: nbdinfo --list " + nbd);
            out.println("     iscsi-ls -s " + iscsi);
            out.println("     qemu-io -f raw -c 'write -P 0x55 0 64k' -c 'read -P 0x55 0 64k' " + nbd + "/"
                    + first.mac());
            out.println("     curl " + http + "/api/v1/devices   # the farm's devices (docs/api.md)");
        }
        out.println("Stop with Ctrl-C or SIGTERM.");
        out.flush();
    }

    private static int bytes(String option, String text) {
        long value = ByteSize.parse(text);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option + ": " + text + " is more than 2 GiB");
        }
        return (int) value;
    }

    /** {@code off}, {@code 0}, or a whole number of microseconds ({@code 50us}) or milliseconds ({@code 1ms}). */
    static Duration micros(String option, String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("off") || t.equals("0")) {
            return Duration.ZERO;
        }
        int unit = t.endsWith("us") ? 1 : t.endsWith("ms") ? 1000 : 0;
        String digits = unit == 0 ? "" : t.substring(0, t.length() - 2).strip();
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 6) {
            throw new IllegalArgumentException(option + ": \"" + text + "\" is not a time such as 50us or 1ms (or off)");
        }
        return Duration.ofNanos(Long.parseLong(digits) * unit * 1000);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "diskfarm";
        }
    }
}
