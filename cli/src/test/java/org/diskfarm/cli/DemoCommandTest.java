package org.diskfarm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void runsTwiceInARowAndKeepsOtherFiles() throws IOException {
        Path demo = dir.resolve("demo");
        Files.createDirectories(demo.resolve("store"));
        Path mine = Files.writeString(demo.resolve("store").resolve("mine.vhd"), "not the demo's");
        Cli.Result first = Cli.ok("demo", demo.toString());
        Cli.Result second = Cli.ok("demo", demo.toString());
        assertThat(first.out()).contains("$ diskfarm vdisk import", "$ diskfarm vdisk verify", "All four hash the same",
                "Try next:");
        assertThat(second.out()).contains("removed the files of an earlier demo run", "All four hash the same");
        assertThat(Files.readString(mine)).isEqualTo("not the demo's");
        assertThat(demo.resolve("store/demo.vhd")).exists();
        assertThat(demo.resolve("store/demo.1.vhd")).exists();
        assertThat(demo.resolve("export.raw")).exists();
    }
}
