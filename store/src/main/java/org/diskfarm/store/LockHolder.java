package org.diskfarm.store;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@code NAME.lok} file says: which server, on which host and in which process, serves which client, since
 * when. The file is a few {@code key = "value"} lines, readable by people.
 *
 * @param server       the farm server's name
 * @param client       who writes through it, e.g. {@code 10.0.0.7:51234} or {@code device pc01 (52:54:00:00:00:01)}
 * @param host         the host name of the server's machine
 * @param pid          the server's process id on that host
 * @param processStart when that process started (to tell a reused pid from the holder)
 * @param since        when the lock was taken
 */
public record LockHolder(String server, String client, String host, long pid, Instant processStart, Instant since) {
    private static final String HOST = lookUpHost();

    public LockHolder {
        Objects.requireNonNull(server);
        Objects.requireNonNull(client);
        Objects.requireNonNull(host);
        Objects.requireNonNull(processStart);
        Objects.requireNonNull(since);
    }

    static LockHolder ofThisProcess(String server, String client) {
        ProcessHandle me = ProcessHandle.current();
        Instant start = me.info().startInstant().orElse(Instant.EPOCH);
        return new LockHolder(server, client, HOST, me.pid(), start, Instant.now());
    }

    static String thisHost() {
        return HOST;
    }

    /** One line for messages: who holds it, where, since when. */
    public String describe() {
        return "client " + client + " on server " + server + " (host " + host + ", pid " + pid + ") since " + since;
    }

    String toText() {
        return "# diskfarm: this vDisk is in use in Private mode; the server deletes this file when the client leaves\n"
                + line("server", server) + line("client", client) + line("host", host)
                + line("pid", Long.toString(pid)) + line("process_start", processStart.toString())
                + line("since", since.toString());
    }

    private static String line(String key, String value) {
        return key + " = \"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n";
    }

    /** The holder a lock file's text names, or empty if the text is not a whole lock (a torn or foreign file). */
    static Optional<LockHolder> parse(String text) {
        Map<String, String> values = new HashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            int eq = line.indexOf('=');
            if (line.isEmpty() || line.startsWith("#") || eq < 0) {
                continue;
            }
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
            }
            values.put(line.substring(0, eq).strip(), value);
        }
        try {
            return Optional.of(new LockHolder(values.get("server"), values.get("client"), values.get("host"),
                    Long.parseLong(values.get("pid")), Instant.parse(values.get("process_start")),
                    Instant.parse(values.get("since"))));
        } catch (NullPointerException | NumberFormatException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String lookUpHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
