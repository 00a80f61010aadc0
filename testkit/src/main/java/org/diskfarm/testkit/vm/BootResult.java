package org.diskfarm.testkit.vm;

import java.time.Duration;
import java.util.List;

/**
 * How one {@link IpxeVm} boot ended.
 *
 * @param outcome      what ended the wait
 * @param elapsed      from starting QEMU to the outcome
 * @param console      everything on the guest's serial port: SeaBIOS and iPXE (through SeaBIOS's serial console),
 *                     syslinux, Linux and /init
 * @param qemuOutput   what QEMU itself printed (stdout and stderr): its warnings and start-up errors
 * @param command      the QEMU command line
 * @param httpRequests the requests the script server saw; empty when iPXE never fetched the script
 */
public record BootResult(Outcome outcome, Duration elapsed, String console, String qemuOutput, List<String> command,
                         List<String> httpRequests) {
    /** What ended the wait for the marker. */
    public enum Outcome {
        /** The booted Linux printed the marker: the disk booted over iSCSI. */
        MARKER_SEEN,
        /** iPXE's sanboot returned: it could not log in, or read, or boot the disk. */
        SANBOOT_FAILED,
        /** QEMU ended before the marker: a start-up error, a triple fault or a kernel panic (with -no-reboot). */
        QEMU_EXITED,
        /** Nothing of the above within the timeout. */
        TIMED_OUT
    }

    public BootResult {
        command = List.copyOf(command);
        httpRequests = List.copyOf(httpRequests);
    }

    public boolean booted() {
        return outcome == Outcome.MARKER_SEEN;
    }

    /** Returns this result if the marker was seen; otherwise fails with the outcome, QEMU's output and the console. */
    public BootResult assertBooted() {
        if (!booted()) {
            throw new AssertionError(describe());
        }
        return this;
    }

    /** One line saying how the boot ended, then what QEMU printed and the end of the console. */
    public String describe() {
        String tail = console.length() <= 4000 ? console : "..." + console.substring(console.length() - 4000);
        return "VM boot over iSCSI: " + outcome + " after " + elapsed.toMillis() + " ms; script requests "
                + httpRequests + "\nQEMU: " + String.join(" ", command)
                + (qemuOutput.isBlank() ? "" : "\nQEMU printed: " + qemuOutput.strip())
                + "\nconsole (last 4000 chars):\n" + tail;
    }
}
