package org.diskfarm.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.diskfarm.boot.tftp.BootFolder;
import org.diskfarm.boot.tftp.TftpServer;
import org.diskfarm.boot.tftp.TftpServerOptions;

/**
 * diskfarm's TFTP server (module {@code boot}) on its own, as a process of its own, so that the TFTP benchmark can
 * read its CPU time from {@code /proc} as it does dnsmasq's: {@code TftpServer.start(bind, BootFolder.of(folder),
 * TftpServerOptions.DEFAULTS)}, optionally with another number of event loops. Prints {@code ready HOST:PORT} on
 * standard output once it listens; then each line {@code stats} on standard input is answered with one line of the
 * server's {@code TftpStats}; end of input closes the server and exits (so it ends with the harness).
 *
 * <pre>
 * arguments: --bind ADDRESS (default 127.0.0.1) --port N (default 69) --folder DIR [--event-loops N]
 * </pre>
 *
 * <p>Threads: the main thread reads standard input; the server runs on its own threads.
 */
public final class TftpServeMain {
    private TftpServeMain() {
    }

    public static void main(String[] args) throws Exception {
        String bind = "127.0.0.1";
        int port = 69;
        Path folder = null;
        int eventLoops = 0;
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--bind" -> bind = value;
                case "--port" -> port = Integer.parseInt(value);
                case "--folder" -> folder = Path.of(value);
                case "--event-loops" -> eventLoops = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (folder == null) {
            throw new IllegalArgumentException("--folder is required");
        }
        TftpServerOptions options = eventLoops > 0 ? TftpServerOptions.DEFAULTS.withEventLoops(eventLoops)
                : TftpServerOptions.DEFAULTS;
        TftpServer server = TftpServer.start(new InetSocketAddress(InetAddress.getByName(bind), port),
                BootFolder.of(folder), options);
        InetSocketAddress local = server.localAddress();
        System.out.println("ready " + local.getAddress().getHostAddress() + ":" + local.getPort() + " " + options);
        System.out.flush();
        try (BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = stdin.readLine()) != null; ) {
                if (line.strip().equals("stats")) {
                    System.out.println(server.stats());
                    System.out.flush();
                }
            }
        } finally {
            server.close();
        }
    }
}
