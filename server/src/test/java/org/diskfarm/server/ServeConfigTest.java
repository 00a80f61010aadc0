package org.diskfarm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The configuration file, the environment and the options of {@code serve} and {@code up}, and their errors. */
class ServeConfigTest {
    @TempDir
    Path dir;

    @AfterEach
    void restoreEnvironment() {
        ServeCommand.env = System::getenv;
    }

    @Test
    void optionsWinOverTheFileAndTheFileOverDefaults() throws Exception {
        Files.writeString(dir.resolve("diskfarm.toml"), """
                # a farm server
                name = "srv7"
                nbd-port = 7000
                http-port = 7001
                lease = "3s"
                db = "jdbc:postgresql://db1/farm"
                db-user = "farm"
                db-password = "from-the-file"
                api-token = "a-token-of-sixteen-chars"
                """);
        ServeCommand serve = new ServeCommand();
        CommandLine line = new CommandLine(serve);
        line.parseArgs("--data", dir.toString(), "--nbd-port", "5000");
        ConfigFile file = ServeConfig.apply(line.getCommandSpec(), null, dir);
        assertThat(serve.nbdPort).as("the option wins").isEqualTo(5000);
        assertThat(serve.httpPort).as("the file sets what the options do not").isEqualTo(7001);
        assertThat(serve.name).isEqualTo("srv7");
        assertThat(serve.iscsiPort).as("the default stays").isEqualTo(3260);

        ServeCommand.env = Map.of("DISKFARM_DB_PASSWORD", "from-the-environment")::get;
        FarmSettings farm = ServeConfig.farm(dir, file, serve.db, serve.dbUser, serve.lease, serve.scanInterval,
                serve.apiReads);
        assertThat(farm.database().url()).isEqualTo("jdbc:postgresql://db1/farm");
        assertThat(farm.database().user()).isEqualTo("farm");
        assertThat(farm.database().password()).isEqualTo("from-the-environment");
        assertThat(farm.lease()).isEqualTo(Duration.ofSeconds(3));
        assertThat(farm.apiToken()).isEqualTo("a-token-of-sixteen-chars");
        assertThat(farm.reads()).isEqualTo(FarmSettings.ApiReads.LOOPBACK);

        ServeCommand.env = name -> null;
        assertThat(ServeConfig.farm(dir, file, serve.db, serve.dbUser, "1500ms", "10s", "open").database().password())
                .isEqualTo("from-the-file");
    }

    @Test
    void withoutDbTheFarmIsTheEmbeddedFileInTheDataFolder() {
        FarmSettings farm = ServeConfig.farm(dir, ConfigFile.empty(), null, null, "5s", "10s", "loopback");
        assertThat(farm.database().url()).isEqualTo("jdbc:sqlite:" + dir.resolve("farm.db").toAbsolutePath());
    }

    @Test
    void badConfigurationStopsTheStartWithOneLineNamingFileAndLine() throws Exception {
        Path config = dir.resolve("diskfarm.toml");
        Files.writeString(config, "name = \"srv1\"\nnbd_port = 10809\n");
        assertFails("line 2: unknown key 'nbd_port' (the keys are the long names of the serve options, and "
                + "db-password, api-token)", "serve", "--data", dir.toString());
        Files.writeString(config, "nbd-port = \"many\"\n");
        assertFails(config + " line 1: 'nbd-port' must be a whole number, not many", "serve", "--data",
                dir.toString());
        Files.writeString(config, "[db]\nurl = \"x\"\n");
        assertFails(config + " line 1: ", "serve", "--data", dir.toString());
        Files.delete(config);
        assertFails("--db: 'mysql://db1/farm' is not a farm database URL; use jdbc:postgresql://HOST[:PORT]/DATABASE",
                "serve", "--data", dir.toString(), "--db", "mysql://db1/farm");
        assertFails("--lease: \"soon\" is not a time such as 5s, 1500ms or 2m", "serve", "--data", dir.toString(),
                "--lease", "soon");
        assertFails("api-reads must be open, loopback or token, not 'all'", "serve", "--data", dir.toString(),
                "--api-reads", "all");
    }

    @Test
    void aDatabaseThatDoesNotAnswerStopsTheStartWithOneLine() {
        assertFails("farm database jdbc:postgresql://127.0.0.1:1/farm does not answer: ", "serve", "--data",
                dir.toString(), "--name", "t", "--bind", "127.0.0.1", "--nbd-port", "0", "--http-port", "0",
                "--iscsi-port", "0", "--db", "jdbc:postgresql://127.0.0.1:1/farm");
        assertThat(dir.resolve("farm.db")).doesNotExist();
    }

    @Test
    void upMakesItsDataFolderWithACommentedConfigurationThatReadsAsEmpty() throws Exception {
        Path data = dir.resolve("diskfarm-data");
        new UpCommand().prepare(data, new PrintWriter(new StringWriter()));
        ConfigFile template = ConfigFile.read(data.resolve("diskfarm.toml"));
        assertThat(template.entries()).isEmpty();
        assertThat(Files.readString(data.resolve("diskfarm.toml"))).contains("# db = \"jdbc:postgresql://");
        assertThat(new UpCommand().defaultData()).isEqualTo(Path.of("diskfarm-data"));
        assertThatThrownBy(() -> ServeConfig.duration("--lease", "5 minutes")).hasMessageContaining("--lease");
    }

    private static void assertFails(String message, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertThat(code).as(err.toString()).isEqualTo(1);
        assertThat(err.toString()).contains(message);
        assertThat(err.toString().strip().lines().count()).as(err.toString()).isEqualTo(1);
    }
}
