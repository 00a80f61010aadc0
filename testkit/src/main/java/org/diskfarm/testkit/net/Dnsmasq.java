package org.diskfarm.testkit.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A dnsmasq the lab started in one of its namespaces, in the foreground ({@code --no-daemon}), logging every DHCP
 * exchange ({@code --log-dhcp}) and TFTP transfer to its {@link #log()} ({@code --log-facility=-}), with its own lease
 * file; DNS off ({@code --port=0}), no configuration file, hosts file or resolv.conf. See
 * {@link NetLab#startDnsmasq} for the options every instance gets.
 *
 * <p>What its log says, for assertions: {@code DHCPDISCOVER(br0) MAC}, {@code DHCPOFFER(br0) IP MAC},
 * {@code DHCPACK(br0) IP MAC}, {@code user class: iPXE}, {@code vendor class: PXEClient:Arch:00000:UNDI:002001},
 * {@code PXE(br0) MAC proxy} (a proxy answer), {@code sent /path/file to IP} (TFTP), each DHCP line preceded by the
 * transaction id.
 *
 * <p>Threads: as {@link LabProcess}.
 */
public final class Dnsmasq extends LabProcess {
    private final Path leaseFile;

    Dnsmasq(LabProcess process, Path leaseFile) {
        super(process.namespace(), process.command(), process.process(), process.log());
        this.leaseFile = leaseFile;
    }

    /** Its lease file. */
    public Path leaseFile() {
        return leaseFile;
    }

    /** The lease file's lines ({@code EXPIRY MAC IP HOSTNAME CLIENT-ID}); empty before the first lease. */
    public List<String> leases() {
        try {
            return Files.exists(leaseFile) ? Files.readAllLines(leaseFile) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many log lines contain {@code text}. */
    public long countLog(String text) {
        return logText().lines().filter(line -> line.contains(text)).count();
    }
}
