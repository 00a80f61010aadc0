package org.diskfarm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Help and version exit 0; every usage error exits 2 with picocli's message and the usage help on stderr. */
class UsageTest {

    private static void assertUsageError(Cli.Result result, String message) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).contains(message).contains("Usage: diskfarm");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void helpListsTheCommands() {
        Cli.Result result = Cli.run("--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("Usage: diskfarm").contains("vdisk", "demo", "--debug");
    }

    @Test
    void versionNamesDiskfarmAndJava() {
        Cli.Result result = Cli.run("--version");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("diskfarm ").contains("Java 25");
    }

    @ParameterizedTest
    @ValueSource(strings = {"create", "import", "export", "info", "verify", "hash", "set"})
    void everyVDiskCommandHasHelp(String command) {
        Cli.Result result = Cli.run("vdisk", command, "--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("Usage: diskfarm vdisk " + command);
    }

    @Test
    void demoHasHelp() {
        assertThat(Cli.run("demo", "-h").out()).startsWith("Usage: diskfarm demo");
    }

    @Test
    void noCommandIsAUsageError() {
        assertUsageError(Cli.run(), "Missing command");
        assertUsageError(Cli.run("vdisk"), "Missing command");
    }

    @Test
    void unknownCommandIsAUsageError() {
        Cli.Result result = Cli.run("vdisk", "frobnicate");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("Unmatched argument", "'frobnicate'");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertUsageError(Cli.run("vdisk", "info", "--colour", "x.vhd"), "--colour");
    }

    @Test
    void missingFileArgumentIsAUsageError() {
        assertUsageError(Cli.run("vdisk", "create", "--size", "1G"), "FILE");
        assertUsageError(Cli.run("vdisk", "import", "only-source.raw"), "FILE");
    }

    @Test
    void badSizeIsAUsageError() {
        assertUsageError(Cli.run("vdisk", "create", "x.vhd", "--size", "10Q"), "not a size");
    }

    @Test
    void sizeWithParentIsAUsageError() {
        assertUsageError(Cli.run("vdisk", "create", "x.vhd", "--size", "1G", "--parent", "base.vhd"),
                "--size is not allowed with --parent");
    }

    @Test
    void sizeOrParentIsRequired() {
        assertUsageError(Cli.run("vdisk", "create", "x.vhd"), "--size");
    }

    @Test
    void badTypeIsAUsageError() {
        assertUsageError(Cli.run("vdisk", "create", "x.vhd", "--size", "1G", "--type", "differencing"),
                "use dynamic or fixed");
    }

    @Test
    void blockSizeMustBeAPowerOfTwoForDynamicDisks() {
        assertUsageError(Cli.run("vdisk", "create", "x.vhd", "--size", "1G", "--block-size", "3M"), "power of two");
        assertUsageError(Cli.run("vdisk", "create", "x.vhd", "--size", "1G", "--type", "fixed", "--block-size", "2M"),
                "--block-size is not allowed");
    }

    @Test
    void vDiskNameMustEndInVhd() {
        assertUsageError(Cli.run("vdisk", "create", "disk.img", "--size", "1M"), "NAME.vhd");
    }

    @Test
    void badPropertyValuesAreUsageErrors() {
        assertUsageError(Cli.run("vdisk", "set", "x.vhd", "--mode", "shared"), "private or standard");
        assertUsageError(Cli.run("vdisk", "set", "x.vhd", "--cache", "disk"), "ram-overflow");
        assertUsageError(Cli.run("vdisk", "set", "x.vhd", "--load-balancing", "yes"), "not true or false");
    }
}
