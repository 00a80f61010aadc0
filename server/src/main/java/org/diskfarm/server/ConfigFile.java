package org.diskfarm.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.diskfarm.store.TomlReader;

/**
 * The server's configuration file, {@code DATA/diskfarm.toml} (or {@code --config FILE}): flat TOML, one
 * {@code key = value} per line, whose keys are the long names of {@code serve}'s options ({@code nbd-port = 10809},
 * {@code db = "jdbc:postgresql://db1/farm"}) plus two that never go on a command line: {@code db-password} and
 * {@code api-token}. Options given on the command line override the file. Unknown keys and bad values are refused
 * with the file and line, so that a typo never goes unnoticed.
 */
final class ConfigFile {
    static final String NAME = "diskfarm.toml";

    /** Keys that only the file (or the environment) may set: secrets stay off the process list. */
    static final String DB_PASSWORD = "db-password";
    static final String API_TOKEN = "api-token";

    private final Path file;
    private final Map<String, TomlReader.Entry> entries;

    private ConfigFile(Path file, Map<String, TomlReader.Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    /**
     * Reads the file.
     *
     * @throws IllegalArgumentException naming the file and line if it cannot be read or is not flat TOML
     */
    static ConfigFile read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the configuration file: " + e.getMessage());
        }
        try {
            return new ConfigFile(file, TomlReader.parse(text));
        } catch (TomlReader.SyntaxError e) {
            throw new IllegalArgumentException(file + " line " + e.line() + ": " + e.getMessage());
        }
    }

    static ConfigFile empty() {
        return new ConfigFile(null, Map.of());
    }

    Map<String, TomlReader.Entry> entries() {
        return entries;
    }

    /** A text value, or null if the key is absent. */
    String text(String key) {
        TomlReader.Entry entry = entries.get(key);
        return entry == null ? null : String.valueOf(entry.value());
    }

    /** "FILE line N: " for messages about a key. */
    String where(String key) {
        TomlReader.Entry entry = entries.get(key);
        return file + (entry != null ? " line " + entry.line() : "") + ": ";
    }

    /** What {@code diskfarm up} writes into a new data folder: every key, commented out, with its default. */
    static String template() {
        return """
                # diskfarm server configuration. Every key is the long name of a `diskfarm serve` option; options
                # given on the command line win. Uncomment what you change.
                #
                # name = "srv1"                 # this server's name in the farm (default: the host name)
                # bind = "0.0.0.0"
                # nbd-port = 10809
                # iscsi-port = 3260
                # http-port = 8080
                #
                # The farm database: the embedded file DATA/farm.db by default; a farm of several servers shares
                # PostgreSQL. The password may also come from the environment variable DISKFARM_DB_PASSWORD.
                # db = "jdbc:postgresql://db.example.org/diskfarm"
                # db-user = "diskfarm"
                # db-password = "..."
                #
                # lease = "5s"                  # a server that does not renew its lease this long is marked down
                # scan-interval = "10s"         # how often the store folders are scanned for changes
                # api-reads = "loopback"        # who may read the API without a token: open, loopback or token
                # api-token = "..."             # a token of your own, accepted besides the farm's
                """;
    }
}
