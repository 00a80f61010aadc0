package org.diskfarm.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

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
 * <p>The module {@code bench} does not depend on {@code boot} (its pom is shared with the other benchmarks), so the
 * server's classes are reached by reflection and must be on the class path at run time ({@code scripts/bench-tftp}
 * puts the boot jar there). The calls are the public API of docs/tftp.md, nothing internal.
 *
 * <p>Threads: the main thread reads standard input; the server runs on its own threads.
 */
public final class TftpServeMain {
    private static final String PACKAGE = "org.diskfarm.boot.tftp.";

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
        Class<?> serverClass = Class.forName(PACKAGE + "TftpServer");
        Class<?> filesClass = Class.forName(PACKAGE + "TftpFiles");
        Class<?> optionsClass = Class.forName(PACKAGE + "TftpServerOptions");
        Class<?> folderClass = Class.forName(PACKAGE + "BootFolder");
        Object options = optionsClass.getField("DEFAULTS").get(null);
        if (eventLoops > 0) {
            options = optionsClass.getMethod("withEventLoops", int.class).invoke(options, eventLoops);
        }
        Object files = folderClass.getMethod("of", Path[].class).invoke(null, (Object) new Path[] {folder});
        Object server;
        try {
            server = serverClass.getMethod("start", InetSocketAddress.class, filesClass, optionsClass)
                    .invoke(null, new InetSocketAddress(InetAddress.getByName(bind), port), files, options);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        Method stats = serverClass.getMethod("stats");
        Method close = serverClass.getMethod("close");
        InetSocketAddress local = (InetSocketAddress) serverClass.getMethod("localAddress").invoke(server);
        System.out.println("ready " + local.getAddress().getHostAddress() + ":" + local.getPort() + " " + options);
        System.out.flush();
        try (BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = stdin.readLine()) != null; ) {
                if (line.strip().equals("stats")) {
                    System.out.println(stats.invoke(server));
                    System.out.flush();
                }
            }
        } finally {
            close.invoke(server);
        }
    }
}
