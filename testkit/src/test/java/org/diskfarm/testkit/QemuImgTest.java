package org.diskfarm.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QemuImgTest {
    @TempDir
    Path dir;

    @Test
    void versionNamesQemuImg() {
        assertThat(QemuImg.locate().version()).startsWith("qemu-img version");
    }

    @Test
    void infoReportsTheSizeOfAForcedSizeDisk() {
        QemuImg qemu = QemuImg.locate();
        Path vhd = dir.resolve("a.vhd");
        qemu.createVpc(vhd, QemuImg.Subformat.DYNAMIC, 10_000_384, true);

        QemuImg.Info info = qemu.info(vhd, "vpc");
        assertThat(info.virtualSize()).isEqualTo(10_000_384);
        assertThat(info.format()).isEqualTo("vpc");
    }

    @Test
    void compareTellsEqualFromDifferent() {
        QemuImg qemu = QemuImg.locate();
        Path a = TestFiles.writePatternFile(dir.resolve("a.raw"), 65536, 1);
        Path b = TestFiles.writePatternFile(dir.resolve("b.raw"), 65536, 1);
        Path c = TestFiles.writePatternFile(dir.resolve("c.raw"), 65536, 2);

        assertThat(qemu.compare(a, "raw", b, "raw")).isTrue();
        assertThat(qemu.compare(a, "raw", c, "raw")).isFalse();
    }

    @Test
    void failureMessageHoldsTheCommandLineAndStderr() {
        QemuImg qemu = QemuImg.locate();
        Path missing = dir.resolve("missing.vhd");

        assertThatThrownBy(() -> qemu.info(missing, "vpc"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("qemu-img info -f vpc --output=json " + missing)
                .hasMessageContaining("stderr:");
    }

    @Test
    void jsonParsesNestedDocuments() {
        Map<?, ?> parsed = (Map<?, ?>) Json.parse(
                "{\"a\": [1, 2.5, \"x\\n\\u0041\"], \"b\": {\"c\": true, \"d\": null}}");

        assertThat(parsed.get("a")).isEqualTo(List.of(1L, 2.5, "x\nA"));
        Map<?, ?> b = (Map<?, ?>) parsed.get("b");
        assertThat(b.get("c")).isEqualTo(Boolean.TRUE);
        assertThat(b.containsKey("d")).isTrue();
        assertThat(b.get("d")).isNull();
    }
}
