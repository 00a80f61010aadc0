package org.diskfarm.cli;

import org.diskfarm.block.StorageException;
import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdCheckReport;
import org.diskfarm.vhd.VhdProblem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code diskfarm vdisk verify FILE}: a strict structure check of a VHD file and its parents, and of the vDisk's
 * properties file if there is one. Prints every problem; exit 0 when there is no error (warnings allowed), else 1.
 */
@Command(name = "verify",
        description = {"Check the structure of a VHD file (and its parents) and the vDisk's NAME.pvp.",
                "Prints each problem; exit 0 if there is no error (warnings allowed), 1 otherwise."})
final class VDiskVerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(paramLabel = "FILE", description = "A VHD file, usually a vDisk image NAME.vhd.")
    Path file;

    @Override
    public Integer call() {
        DiskImages.requireFile(file);
        VhdCheckReport report = Vhd.check(file);
        List<VhdProblem> problems = new ArrayList<>(report.problems());
        propertiesProblem().ifPresent(problems::add);
        PrintWriter out = spec.commandLine().getOut();
        problems.forEach(out::println);
        long errors = problems.stream().filter(p -> p.severity() == VhdProblem.Severity.ERROR).count();
        long warnings = problems.size() - errors;
        if (errors == 0) {
            out.println(warnings == 0 ? "OK" : "OK (" + count(warnings, "warning") + ")");
            return 0;
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println("diskfarm: " + file + ": " + count(errors, "error") + ", " + count(warnings, "warning"));
        return ExitStatus.FAILED;
    }

    /** A problem with NAME.pvp, if FILE is a vDisk image whose properties file exists and cannot be read. */
    private Optional<VhdProblem> propertiesProblem() {
        if (!VDiskFiles.isVDiskImage(file)) {
            return Optional.empty();
        }
        Path pvp = VDiskFiles.of(file).pvp();
        if (!Files.exists(pvp)) {
            return Optional.empty();
        }
        try {
            VDiskProperties.read(pvp);
            return Optional.empty();
        } catch (StorageException e) {
            return Optional.of(VhdProblem.error("properties " + pvp.getFileName(), e.getMessage()));
        }
    }

    private static String count(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
