package org.diskfarm.store;

import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VDiskFilesTest {
    @Test
    void namesTheSiblingFiles() {
        VDiskFiles files = VDiskFiles.of(Path.of("store/win11.vhd"));
        assertThat(files.name()).isEqualTo("win11");
        assertThat(files.pvp()).isEqualTo(Path.of("store/win11.pvp"));
        assertThat(files.lok()).isEqualTo(Path.of("store/win11.lok"));
    }

    @Test
    void aVersionKeepsItsNumberInTheName() {
        VDiskFiles files = VDiskFiles.of(Path.of("win11.2.VHD"));
        assertThat(files.name()).isEqualTo("win11.2");
        assertThat(files.pvp()).isEqualTo(Path.of("win11.2.pvp"));
    }

    @Test
    void otherNamesAreRejected() {
        assertThat(VDiskFiles.isVDiskImage(Path.of("disk.img"))).isFalse();
        assertThat(VDiskFiles.isVDiskImage(Path.of(".vhd"))).isFalse();
        assertThatThrownBy(() -> VDiskFiles.of(Path.of("disk.img")))
                .isInstanceOf(StorageException.class).hasMessage("disk.img: a vDisk image is named NAME.vhd");
    }
}
