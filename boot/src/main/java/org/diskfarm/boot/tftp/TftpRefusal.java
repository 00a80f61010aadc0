package org.diskfarm.boot.tftp;

import java.util.Objects;

/**
 * A request the server answers with an ERROR packet instead of a transfer: the file is missing or out of bounds, the
 * options cannot be negotiated, the server is busy. {@link TftpFiles} implementations throw it to choose the code and
 * the message the client sees; the message goes on the wire, so it names the request, never server paths.
 */
public final class TftpRefusal extends Exception {
    private final TftpErrorCode code;

    public TftpRefusal(TftpErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public TftpErrorCode code() {
        return code;
    }

    /** The ERROR packet that answers the request. */
    public TftpError toPacket() {
        return new TftpError(code, getMessage());
    }
}
