package org.diskfarm.nbd;

import org.diskfarm.block.StorageException;

/**
 * The one table from storage failures to what an NBD client sees (ARCHITECTURE.md rule 5). Transmission requests get an
 * errno ({@link #errorFor}); export lookups during the handshake get an option error ({@link #optionErrorFor}).
 *
 * <table>
 * <caption>StorageException.Kind to NBD errno</caption>
 * <tr><th>kind</th><th>errno</th><th>why</th></tr>
 * <tr><td>OUT_OF_RANGE</td><td>ENOSPC for WRITE and WRITE_ZEROES, else EINVAL</td><td>proto.md: a write beyond the
 *   end SHOULD be ENOSPC, a read or trim beyond it EINVAL</td></tr>
 * <tr><td>INVALID_ARGUMENT</td><td>EINVAL</td><td>a malformed request (alignment, length)</td></tr>
 * <tr><td>READ_ONLY</td><td>EPERM</td><td>proto.md: a write or trim on a read-only export SHOULD be EPERM</td></tr>
 * <tr><td>NO_SPACE</td><td>ENOSPC</td><td>a full write cache or file system</td></tr>
 * <tr><td>NOT_SUPPORTED</td><td>ENOTSUP for WRITE_ZEROES with FAST_ZERO, else EINVAL</td><td>proto.md allows
 *   ENOTSUP only for a fast zero that cannot be fast</td></tr>
 * <tr><td>CORRUPT, IO_ERROR, NOT_FOUND, BUSY</td><td>EIO</td><td>the data cannot be served; the client may retry or
 *   report a medium error</td></tr>
 * <tr><td>CLOSED</td><td>EIO, and {@link #mustClose} is true</td><td>the device went away under the connection (a
 *   server stopping or handing the device over): close the socket rather than answer, since QEMU reconnects after a
 *   closed socket but gives up after ESHUTDOWN</td></tr>
 * </table>
 */
public final class NbdErrors {
    private NbdErrors() {
    }

    /** The errno for a storage failure of a request of this command (null for a command this server does not know). */
    public static NbdError errorFor(StorageException.Kind kind, NbdCommand command, boolean fastZero) {
        return switch (kind) {
            case OUT_OF_RANGE -> command == NbdCommand.WRITE || command == NbdCommand.WRITE_ZEROES
                    ? NbdError.ENOSPC : NbdError.EINVAL;
            case INVALID_ARGUMENT -> NbdError.EINVAL;
            case READ_ONLY -> NbdError.EPERM;
            case NO_SPACE -> NbdError.ENOSPC;
            case NOT_SUPPORTED -> command == NbdCommand.WRITE_ZEROES && fastZero ? NbdError.ENOTSUP : NbdError.EINVAL;
            case CORRUPT, IO_ERROR, NOT_FOUND, BUSY, CLOSED -> NbdError.EIO;
        };
    }

    /** The errno for a failure of this request. */
    public static NbdError errorFor(StorageException e, NbdRequest request) {
        return errorFor(e.kind(), request.command().orElse(null), request.has(NbdFlags.Command.FAST_ZERO));
    }

    /** True if the connection should be closed instead of answering the request (the device was closed). */
    public static boolean mustClose(StorageException.Kind kind) {
        return kind == StorageException.Kind.CLOSED;
    }

    /**
     * The option error for an export that could not be looked up: ERR_UNKNOWN when it is missing or cannot be read,
     * ERR_POLICY when another client holds it (BUSY) or it refuses this use (READ_ONLY), ERR_SHUTDOWN when the server
     * is closing it, ERR_UNSUP when it needs something this server lacks.
     */
    public static NbdOptionReplyType optionErrorFor(StorageException.Kind kind) {
        return switch (kind) {
            case BUSY, READ_ONLY -> NbdOptionReplyType.ERR_POLICY;
            case CLOSED -> NbdOptionReplyType.ERR_SHUTDOWN;
            case NOT_SUPPORTED -> NbdOptionReplyType.ERR_UNSUP;
            case NOT_FOUND, CORRUPT, IO_ERROR, OUT_OF_RANGE, INVALID_ARGUMENT, NO_SPACE ->
                    NbdOptionReplyType.ERR_UNKNOWN;
        };
    }
}
