package org.diskfarm.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/**
 * {@code diskfarm up}: {@code serve} with a data folder of its own ({@code ./diskfarm-data} unless {@code --data}
 * says otherwise), made on first use with a commented configuration file, and the embedded farm database unless
 * {@code --db} names a shared one. The one command a single machine needs to become a farm.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start a farm server with its data in ./diskfarm-data (made on first use, with a commented "
                + "diskfarm.toml), and the embedded farm database unless --db names PostgreSQL.",
                "Takes every option of serve. Stops cleanly on SIGTERM or Ctrl-C."})
final class UpCommand extends ServeCommand {
    static final Path DEFAULT_DATA = Path.of("diskfarm-data");

    @Override
    Path defaultData() {
        return DEFAULT_DATA;
    }

    @Override
    void prepare(Path folder, PrintWriter out) {
        Path config = folder.resolve(ConfigFile.NAME);
        try {
            Files.createDirectories(folder);
            if (!Files.exists(config)) {
                Files.writeString(config, ConfigFile.template());
                out.println("up: made " + folder + " with a commented configuration file " + config);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(folder + ": cannot prepare the data folder: " + e.getMessage());
        }
    }
}
