package org.diskfarm.nbd;

/**
 * The peer broke the NBD protocol: bad magic, a length beyond a limit, a malformed option or request. The message is
 * one line, fit for a log. {@link #mustClose()} tells the transport whether the connection can go on (the bad message
 * was consumed whole and answered) or must be closed (the byte stream can no longer be framed, or the protocol says
 * so).
 */
public final class NbdProtocolException extends RuntimeException {

    private final boolean mustClose;

    public NbdProtocolException(String message, boolean mustClose) {
        super(message, null, false, false);
        this.mustClose = mustClose;
    }

    /** A framing error: the stream cannot be read on, so the connection must be closed. */
    public static NbdProtocolException fatal(String message) {
        return new NbdProtocolException(message, true);
    }

    public boolean mustClose() {
        return mustClose;
    }
}
