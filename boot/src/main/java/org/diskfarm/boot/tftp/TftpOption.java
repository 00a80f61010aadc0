package org.diskfarm.boot.tftp;

import java.util.Locale;
import java.util.Objects;

/**
 * One option of a request or an OACK (RFC 2347): a name and a value, both NUL-terminated ASCII strings on the wire.
 * Names compare case-insensitively ({@link #key()}); values are kept as sent.
 *
 * @param name  the option name as sent, e.g. {@code blksize}
 * @param value the value as sent, e.g. {@code 1468}
 */
public record TftpOption(String name, String value) {
    public static final String BLKSIZE = "blksize";
    public static final String TIMEOUT = "timeout";
    public static final String TSIZE = "tsize";
    public static final String WINDOWSIZE = "windowsize";

    public TftpOption {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    /** The name in lower case: RFC 2347 says option names are case-insensitive. */
    public String key() {
        return name.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return name + "=" + value;
    }
}
