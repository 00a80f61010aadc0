package org.diskfarm.store;

import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalStoreTest {
    @TempDir
    Path dir;

    private void touch(String... names) throws IOException {
        for (String name : names) {
            Files.write(dir.resolve(name), new byte[] {1, 2, 3});
        }
    }

    @Test
    void vdisksAreTheValidlyNamedVhdFilesSortedByName() throws IOException {
        touch("win11.vhd", "Alpha.vhd", "win11.2.vhd", "a_b-c.vhd", "win11.pvp", "win11.lok", "notes.txt",
                ".hidden.vhd", "with space.vhd", "-dash.vhd", "disk.vhdx");
        Files.createDirectory(dir.resolve("folder.vhd"));
        assertThat(new LocalStore(dir).vdisks()).extracting(VDiskFiles::name)
                .containsExactly("Alpha", "a_b-c", "win11", "win11.2");
        assertThat(new LocalStore(dir).vdisks().getFirst().vhd()).isEqualTo(dir.resolve("Alpha.vhd"));
    }

    @Test
    void anEmptyFolderHasNoVDisks() {
        assertThat(new LocalStore(dir).vdisks()).isEmpty();
    }

    @Test
    void theFolderIsLookedAtAgainOnEveryCall() throws IOException {
        LocalStore store = new LocalStore(dir);
        assertThat(store.find("late")).isEmpty();
        touch("late.vhd");
        assertThat(store.find("late")).isPresent();
        assertThat(store.vdisks()).extracting(VDiskFiles::name).containsExactly("late");
        Files.delete(dir.resolve("late.vhd"));
        assertThat(store.find("late")).isEmpty();
    }

    @Test
    void findGivesTheFilesOfAPresentVDiskOnly() throws IOException {
        touch("win11.vhd", "orphan.pvp");
        Files.createDirectory(dir.resolve("sub"));
        touch("sub/x.vhd");
        LocalStore store = new LocalStore(dir);
        assertThat(store.find("win11")).contains(VDiskFiles.of(dir.resolve("win11.vhd")));
        assertThat(store.find("absent")).isEmpty();
        assertThat(store.find("orphan")).isEmpty();
        for (String invalid : new String[] {"", "../x", "sub/x", ".hidden", "with space", "a".repeat(129)}) {
            assertThat(store.find(invalid)).as(invalid).isEmpty();
        }
        assertThat(LocalStore.isValidName("a".repeat(128))).isTrue();
    }

    @Test
    void findDoesNotEscapeTheFolder() throws IOException {
        Path store = Files.createDirectory(dir.resolve("store"));
        touch("x.vhd");
        assertThat(new LocalStore(store).find("../x")).isEmpty();
        assertThat(new LocalStore(store).find("..")).isEmpty();
    }

    @Test
    void propertiesAreTheDefaultsWithoutAPvpAndTheFileWithOne() throws IOException {
        touch("win11.vhd", "base.vhd");
        LocalStore store = new LocalStore(dir);
        VDiskFiles win11 = store.find("win11").orElseThrow();
        assertThat(store.properties(win11)).isEqualTo(VDiskProperties.DEFAULTS);
        VDiskProperties standard = VDiskProperties.DEFAULTS.withMode(VDiskMode.STANDARD).withDescription("lab");
        standard.write(win11.pvp());
        assertThat(store.properties(win11)).isEqualTo(standard);
        assertThat(store.properties(store.find("base").orElseThrow())).isEqualTo(VDiskProperties.DEFAULTS);
    }

    @Test
    void aBadPvpIsCorrupt() throws IOException {
        touch("win11.vhd");
        Files.writeString(dir.resolve("win11.pvp"), "format-version = 1\nmode = \"shared\"\n");
        LocalStore store = new LocalStore(dir);
        assertThatThrownBy(() -> store.properties(store.find("win11").orElseThrow()))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.CORRUPT));
    }

    @Test
    void aMissingFolderIsNotFound() {
        Path missing = dir.resolve("gone");
        LocalStore store = new LocalStore(missing);
        assertThatThrownBy(store::vdisks)
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.NOT_FOUND))
                .hasMessageContaining(missing.toString());
        assertThat(store.find("x")).isEmpty();
    }

    @Test
    void theFolderIsKeptAbsoluteAndNormal() {
        assertThat(new LocalStore(dir.resolve("a/../b")).dir()).isEqualTo(dir.resolve("b").toAbsolutePath());
    }
}
