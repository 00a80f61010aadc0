package org.diskfarm.vhd;

import java.util.List;

/** What a structure check of one VHD file (and its parents) found. */
public record VhdCheckReport(String file, List<VhdProblem> problems) {
    public VhdCheckReport {
        problems = List.copyOf(problems);
    }

    /** True if no problem is an error (warnings allowed). */
    public boolean ok() {
        return problems.stream().noneMatch(p -> p.severity() == VhdProblem.Severity.ERROR);
    }
}
