package org.diskfarm.cli;

import org.diskfarm.vhd.Vhd;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vdisk info} output, human and JSON, checked against golden files with volatile fields filtered. */
class VDiskInfoCommandTest {
    @TempDir
    Path dir;

    private Path base;
    private Path child;

    @BeforeEach
    void buildAVDiskAndAVersion() {
        Path master = dir.resolve("master.raw");
        DemoCommand.MasterImage.write(master, Vhd.roundedSize(DemoCommand.MASTER_SIZE_REQUESTED));
        base = dir.resolve("demo.vhd");
        child = dir.resolve("demo.1.vhd");
        Cli.ok("vdisk", "import", master.toString(), base.toString());
        Cli.ok("vdisk", "create", child.toString(), "--parent", base.toString());
        Cli.ok("vdisk", "set", base.toString(), "--description", "demo master", "--mode", "standard");
    }

    private String info(String... args) {
        return Golden.filter(Cli.ok(args).out(), dir);
    }

    @Test
    void humanOutputOfADynamicVDisk() {
        Golden.assertMatches("info-dynamic.txt", info("vdisk", "info", base.toString()));
    }

    @Test
    void humanOutputOfAVersionShowsItsParentChain() {
        Golden.assertMatches("info-differencing.txt", info("vdisk", "info", child.toString()));
    }

    @Test
    void jsonOutputOfADynamicVDisk() {
        Golden.assertMatches("info-dynamic.json", info("vdisk", "info", "--json", base.toString()));
    }

    @Test
    void jsonOutputOfAVersionNestsItsParent() {
        Golden.assertMatches("info-differencing.json", info("vdisk", "info", "--json", child.toString()));
    }

    @Test
    void jsonIsOneObjectWithTheRecordsFieldNames() {
        JsonNode json = JsonMapper.builder().build().readTree(Cli.ok("vdisk", "info", "--json", child.toString()).out());
        assertThat(json.isObject()).isTrue();
        assertThat(json.propertyNames()).containsExactly("file", "type", "virtualSize", "geometry", "blockSize",
                "allocatedBytes", "fileSize", "uniqueId", "timestamp", "creatorApplication", "parent",
                "parentUniqueId", "parentTimestamp", "footerRecovered", "properties");
        assertThat(json.get("parentUniqueId").asString()).isEqualTo(json.get("parent").get("uniqueId").asString());
        assertThat(json.get("properties").get("version").asInt()).isEqualTo(1);
    }

    @Test
    void aVhdWithoutPropertiesSaysSo() throws IOException {
        Path other = dir.resolve("plain.vhd");
        Cli.ok("vdisk", "create", other.toString(), "--size", "1M");
        Files.delete(dir.resolve("plain.pvp"));
        assertThat(Cli.ok("vdisk", "info", other.toString()).out())
                .contains("properties:          none (no " + dir.resolve("plain.pvp") + ")");
        assertThat(Cli.ok("vdisk", "info", "--json", other.toString()).out()).contains("\"properties\" : null");
    }

    @Test
    void badPropertiesFileStillShowsTheImageAndFails() throws IOException {
        Files.writeString(dir.resolve("demo.pvp"), "format-version = 1\nmode = \"shared\"\n");
        Cli.Result result = Cli.run("vdisk", "info", base.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("type:                dynamic");
        assertThat(result.err()).isEqualTo("diskfarm: " + dir.resolve("demo.pvp")
                + ", line 2: key \"mode\": unknown mode \"shared\" (expected private or standard)"
                + System.lineSeparator());
    }
}
