package org.diskfarm.cli;

import org.diskfarm.store.VDiskProperties;
import org.diskfarm.testkit.QemuImg;
import org.diskfarm.vhd.Vhd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What the vDisk commands write, the real qemu-img reads the same; what qemu-img writes, they import. */
class QemuImgInteropTest {
    private final QemuImg qemuImg = QemuImg.locate();

    @TempDir
    Path dir;

    private Path master() {
        Path raw = dir.resolve("master.raw");
        DemoCommand.MasterImage.write(raw, Vhd.roundedSize(DemoCommand.MASTER_SIZE_REQUESTED));
        return raw;
    }

    @Test
    void importedVDiskReadsAsItsSourceInQemu() throws IOException {
        Path master = master();
        for (String type : new String[] {"dynamic", "fixed"}) {
            Path vhd = dir.resolve(type + ".vhd");
            Cli.ok("vdisk", "import", master.toString(), vhd.toString(), "--type", type);
            assertThat(qemuImg.info(vhd, "vpc").virtualSize()).as(type).isEqualTo(Files.size(master));
            assertThat(qemuImg.compare(vhd, "vpc", master, "raw")).as(type).isTrue();
        }
    }

    @Test
    void createdVDiskHasTheSizeQemuSees() {
        Path vhd = dir.resolve("blank.vhd");
        Cli.ok("vdisk", "create", vhd.toString(), "--size", "1000000");
        assertThat(qemuImg.info(vhd, "vpc").virtualSize()).isEqualTo(Vhd.info(vhd).virtualSize());
    }

    @Test
    void vhdWrittenByQemuImportsAndExportsUnchanged() throws IOException {
        Path master = master();
        Path qemuVhd = dir.resolve("from-qemu.vpc");
        qemuImg.convertRawToVpc(master, qemuVhd, QemuImg.Subformat.DYNAMIC, false);
        Path vhd = dir.resolve("demo.vhd");
        Path raw = dir.resolve("export.raw");
        Cli.Result result = Cli.ok("vdisk", "import", qemuVhd.toString(), vhd.toString());
        assertThat(result.out()).contains("(VHD, ");
        Cli.ok("vdisk", "export", vhd.toString(), raw.toString());
        assertThat(Files.mismatch(raw, master)).isEqualTo(-1);
        assertThat(VDiskProperties.read(dir.resolve("demo.pvp")).contentHash().toString())
                .isEqualTo(Cli.ok("vdisk", "hash", master.toString()).out().strip());
    }
}
