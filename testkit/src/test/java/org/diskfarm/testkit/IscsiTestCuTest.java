package org.diskfarm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading iscsi-test-cu's output: the runs are tgtd 1.0.85's, recorded on a 128 MiB file LUN. */
class IscsiTestCuTest {

    private static String output(String file) throws IOException {
        try (InputStream in = IscsiTestCuTest.class.getResourceAsStream("/iscsi-test-cu/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void passesAreCounted() throws IOException {
        Map<String, IscsiTestCu.Result> results = IscsiTestCu.parse("SCSI.Read10", output("SCSI.Read10.out"));
        assertEquals(6, results.size());
        assertTrue(results.values().stream().allMatch(r -> r.outcome() == IscsiTestCu.Outcome.PASSED));
        assertTrue(results.containsKey("SCSI.Read10.DpoFua"));
    }

    @Test
    void testsCunitPassesButLibiscsiSkipsAreSkipped() throws IOException {
        Map<String, IscsiTestCu.Result> results = IscsiTestCu.parse("SCSI.Unmap", output("SCSI.Unmap.out"));
        assertEquals(IscsiTestCu.Outcome.SKIPPED, results.get("SCSI.Unmap.Simple").outcome());
        assertEquals("Logical unit is fully provisioned. Skipping test passed",
                results.get("SCSI.Unmap.Simple").detail());
        assertEquals(IscsiTestCu.Outcome.SKIPPED, results.get("SCSI.Unmap.VPD").outcome());
    }

    @Test
    void onlyCunitsVerdictFailsATest() throws IOException {
        Map<String, IscsiTestCu.Result> results = IscsiTestCu.parse("SCSI.Reserve6", output("SCSI.Reserve6.out"));
        assertEquals(7, results.size());
        IscsiTestCu.Result twoInitiators = results.get("SCSI.Reserve6.2Initiators");
        assertEquals(IscsiTestCu.Outcome.FAILED, twoInitiators.outcome());
        assertTrue(twoInitiators.detail().startsWith("[FAILED] MODESENSE6 successful but should have failed"),
                twoInitiators.detail());
        // CUnit says "passed", then libiscsi logs a [FAILED] from its clean-up: CUnit's verdict counts.
        IscsiTestCu.Result lunReset = results.get("SCSI.Reserve6.LUNReset");
        assertEquals(IscsiTestCu.Outcome.PASSED, lunReset.outcome());
        assertTrue(lunReset.detail().startsWith("[FAILED] PRIN command"), lunReset.detail());
        assertEquals(IscsiTestCu.Outcome.SKIPPED, results.get("SCSI.Reserve6.TargetWarmReset").outcome());
    }

    @Test
    void aRunCutShortReportsOnlyWhatItPrinted() throws IOException {
        String full = output("SCSI.Read10.out");
        String cut = full.substring(0, full.indexOf("  Test: ZeroBlocks"));
        assertEquals(2, IscsiTestCu.parse("SCSI.Read10", cut).size());
    }
}
