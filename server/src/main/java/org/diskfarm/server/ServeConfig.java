package org.diskfarm.server;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.diskfarm.farm.FarmDatabase;
import org.diskfarm.store.TomlReader;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * How {@code serve} combines its options, the configuration file and the environment: options win over the file;
 * the database password and the API token come only from the file or the environment.
 */
final class ServeConfig {
    private ServeConfig() {
    }

    /**
     * Reads the configuration file ({@code --config}, else {@code DATA/diskfarm.toml} if present) and sets every option
     * the command line did not give from it.
     *
     * @throws IllegalArgumentException naming file and line for an unknown key or a bad value
     */
    static ConfigFile apply(CommandSpec spec, Path config, Path data) {
        Path path = config != null ? config : data != null ? data.resolve(ConfigFile.NAME) : null;
        if (path == null || (config == null && !Files.exists(path))) {
            return ConfigFile.empty();
        }
        ConfigFile file = ConfigFile.read(path);
        for (Map.Entry<String, TomlReader.Entry> entry : file.entries().entrySet()) {
            String key = entry.getKey();
            if (key.equals(ConfigFile.DB_PASSWORD) || key.equals(ConfigFile.API_TOKEN)) {
                continue;
            }
            OptionSpec option = spec.findOption("--" + key);
            if (option == null || key.equals("config") || key.equals("help") || key.equals("version")) {
                throw new IllegalArgumentException(file.where(key) + "unknown key '" + key + "' (the keys are the "
                        + "long names of the serve options, and db-password, api-token)");
            }
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                continue;
            }
            option.setValue(convert(file, key, option.type(), entry.getValue().value()));
        }
        return file;
    }

    private static Object convert(ConfigFile file, String key, Class<?> type, Object value) {
        if (type == int.class || type == Integer.class) {
            if (value instanceof Long number && number >= Integer.MIN_VALUE && number <= Integer.MAX_VALUE) {
                return number.intValue();
            }
        } else if (type == boolean.class || type == Boolean.class) {
            if (value instanceof Boolean flag) {
                return flag;
            }
        } else if (type == Path.class) {
            if (value instanceof String text) {
                return Path.of(text);
            }
        } else if (type == String.class) {
            return String.valueOf(value);
        }
        throw new IllegalArgumentException(file.where(key) + "'" + key + "' must be "
                + (type == int.class ? "a whole number" : type == boolean.class ? "true or false" : "a string")
                + ", not " + value);
    }

    /** The farm settings from the options, the file and the environment. */
    static FarmSettings farm(Path data, ConfigFile file, String db, String dbUser, String lease, String scanInterval,
            String apiReads) {
        String password = ServeCommand.env.apply(ServeCommand.DB_PASSWORD_ENV);
        if (password == null) {
            password = file.text(ConfigFile.DB_PASSWORD);
        }
        FarmDatabase.Location location;
        if (db == null || db.isBlank()) {
            location = FarmDatabase.Location.embedded(data);
        } else if (db.startsWith("jdbc:postgresql://") || db.startsWith("jdbc:sqlite:")) {
            location = new FarmDatabase.Location(db, dbUser, password);
        } else {
            throw new IllegalArgumentException("--db: '" + db + "' is not a farm database URL; use "
                    + "jdbc:postgresql://HOST[:PORT]/DATABASE");
        }
        String token = ServeCommand.env.apply(ServeCommand.API_TOKEN_ENV);
        if (token == null) {
            token = file.text(ConfigFile.API_TOKEN);
        }
        if (token != null && token.strip().length() < 16) {
            throw new IllegalArgumentException("api-token: a token of your own needs at least 16 characters");
        }
        return new FarmSettings(location, duration("--lease", lease), duration("--scan-interval", scanInterval),
                token == null ? null : token.strip(), FarmSettings.ApiReads.parse(apiReads));
    }

    /** {@code 5s}, {@code 1500ms}, {@code 2m}, or a whole number of seconds. */
    static Duration duration(String option, String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        long unit = t.endsWith("ms") ? 1 : t.endsWith("s") ? 1000 : t.endsWith("m") ? 60_000 : 1000;
        String digits = t.replaceAll("(ms|s|m)$", "").strip();
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(option + ": \"" + text + "\" is not a time such as 5s, 1500ms or 2m");
        }
        return Duration.ofMillis(Long.parseLong(digits) * unit);
    }

    /** Shows the farm's new API token once; the server saved it in {@code DATA/api-token} (owner only). */
    static void showToken(PrintWriter out, Path file, String token) {
        out.println("API token for changes (shown once; saved in " + file + ", readable by its owner only): "
                + token);
        out.flush();
    }
}
