package org.diskfarm.boot.dhcp;

import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * What a PXE client is told to boot.
 *
 * @param bootFileName a TFTP path ("undionly.kpxe") or, for iPXE, a URL
 *     ("http://10.0.0.5:8080/boot/52:54:00:12:34:56.ipxe"); printable ASCII, 1 to 255 bytes (one option 67; a name
 *     over 127 bytes goes in option 67 only, as the 128-byte {@code file} field cannot hold it)
 * @param tftpServer the boot server, sent as {@code siaddr} (and option 66 to clients that ask for it); needed even
 *     when the file is a URL, because iPXE takes a proxy offer as complete only if {@code siaddr} is set
 * @param message why this answer, for the log line the server writes; it is not sent to the client
 */
public record BootAnswer(String bootFileName, Inet4Address tftpServer, Optional<String> message) {
    /** The longest name: one instance of option 67. */
    public static final int MAX_NAME_BYTES = 255;

    public BootAnswer {
        Objects.requireNonNull(bootFileName);
        Objects.requireNonNull(tftpServer);
        Objects.requireNonNull(message);
        if (bootFileName.isEmpty() || bootFileName.length() > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("a boot file name must be 1 to " + MAX_NAME_BYTES + " bytes, not "
                    + bootFileName.length());
        }
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(bootFileName)
                || bootFileName.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            throw new IllegalArgumentException("a boot file name must be printable ASCII without spaces: "
                    + bootFileName);
        }
        if (tftpServer.isAnyLocalAddress()) {
            throw new IllegalArgumentException("the TFTP server cannot be 0.0.0.0: PXE clients take it from siaddr");
        }
    }

    /** An answer without a message. */
    public static BootAnswer of(String bootFileName, Inet4Address tftpServer) {
        return new BootAnswer(bootFileName, tftpServer, Optional.empty());
    }

    /** This answer with {@code message} for the log. */
    public BootAnswer withMessage(String message) {
        return new BootAnswer(bootFileName, tftpServer, Optional.of(message));
    }
}
