package org.diskfarm.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference target starts, answers libiscsi, and the conformance runner reads its results. */
class TgtdTest {
    @Test
    void tgtdServesAFileLunThatLibiscsiReads() throws Exception {
        assumeTrue(Tgtd.available() && IscsiTestCu.available(), "tgtd or iscsi-test-cu is not installed");
        Path dir = TestFiles.tempDir("tgtd");
        try {
            Path lun = dir.resolve("lun.img");
            try (var file = java.nio.channels.FileChannel.open(lun, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                file.truncate(0);
                file.write(java.nio.ByteBuffer.allocate(1), (16L << 20) - 1);
            }
            try (Tgtd tgtd = Tgtd.start(lun, "iqn.2026-11.org.diskfarm.test:tgtd", dir.resolve("tgtd.log"))) {
                ClientProcess.Result capacity = ClientProcess.run(List.of("iscsi-readcapacity16", tgtd.lunUrl()),
                        Duration.ofSeconds(30));
                assertThat(capacity.stdout()).contains("Total size:16777216");
                List<IscsiTestCu.Result> read10 = IscsiTestCu.run("SCSI.Read10", tgtd.lunUrl(),
                        IscsiTestCu.tests(), Duration.ofMinutes(2));
                assertThat(read10).hasSize(6).allMatch(r -> r.outcome() == IscsiTestCu.Outcome.PASSED);
            }
        } finally {
            TestFiles.deleteTree(dir);
        }
    }
}
