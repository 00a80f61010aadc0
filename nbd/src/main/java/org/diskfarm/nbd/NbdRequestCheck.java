package org.diskfarm.nbd;

/**
 * The one place that checks a transmission request against what was negotiated, before anything below sees it (as
 * nbdkit's server/protocol.c does): an unknown command or flag, a flag on a command it does not apply to, a command
 * the export did not advertise, a write to a read-only export, a range past the end, a READ or WRITE longer than the
 * export's maximum. The layers below need not check again. Stateless; any thread.
 *
 * <p>What is not checked here: alignment to the minimum block size (devices accept any byte range), and a zero length
 * (served as a no-op by the devices).
 */
public final class NbdRequestCheck {
    private NbdRequestCheck() {
    }

    /** Why a request is refused: the errno to answer with and a one-line reason for the log (or an ERROR chunk). */
    public record Rejection(NbdError error, String message) {
    }

    /** Null if the request may be served, else the rejection. */
    public static Rejection check(NbdRequest request, NbdNegotiated session) {
        NbdCommand command = request.command().orElse(null);
        if (command == null) {
            return invalid("unknown command " + request.type());
        }
        int unknownFlags = request.flags() & ~NbdFlags.Command.KNOWN;
        if (unknownFlags != 0) {
            return invalid(command + " with unknown flags 0x" + Integer.toHexString(unknownFlags));
        }
        Rejection flags = checkFlags(request, command, session);
        if (flags != null) {
            return flags;
        }
        Rejection supported = checkSupported(command, session);
        if (supported != null) {
            return supported;
        }
        if (command == NbdCommand.DISC || command == NbdCommand.FLUSH) {
            return null;
        }
        int maximum = session.export().limits().maximum();
        if ((command == NbdCommand.READ || command == NbdCommand.WRITE) && request.length() > maximum) {
            return invalid(command + " of " + request.length() + " bytes is longer than the maximum " + maximum);
        }
        long size = session.export().size();
        long offset = request.offset();
        if (Long.compareUnsigned(offset, size) > 0 || request.length() > size - offset) {
            boolean write = command == NbdCommand.WRITE || command == NbdCommand.WRITE_ZEROES;
            return new Rejection(write ? NbdError.ENOSPC : NbdError.EINVAL, command + " of " + request.length()
                    + " bytes at " + Long.toUnsignedString(offset) + " goes past the end (" + size + " bytes)");
        }
        return null;
    }

    private static Rejection checkFlags(NbdRequest request, NbdCommand command, NbdNegotiated session) {
        int transmission = session.transmissionFlags();
        if (request.has(NbdFlags.Command.NO_HOLE) && command != NbdCommand.WRITE_ZEROES) {
            return invalid("NO_HOLE on " + command);
        }
        if (request.has(NbdFlags.Command.DF) && (command != NbdCommand.READ || !session.structuredReplies())) {
            return invalid("DF on " + command + (session.structuredReplies() ? "" : " without structured replies"));
        }
        if (request.has(NbdFlags.Command.REQ_ONE) && command != NbdCommand.BLOCK_STATUS) {
            return invalid("REQ_ONE on " + command);
        }
        if (request.has(NbdFlags.Command.FAST_ZERO) && (command != NbdCommand.WRITE_ZEROES
                || (transmission & NbdFlags.Transmission.SEND_FAST_ZERO) == 0)) {
            return invalid("FAST_ZERO on " + command + " (not advertised or not applicable)");
        }
        return null;
    }

    private static Rejection checkSupported(NbdCommand command, NbdNegotiated session) {
        boolean writes = command == NbdCommand.WRITE || command == NbdCommand.TRIM
                || command == NbdCommand.WRITE_ZEROES;
        if (writes && session.export().readOnly()) {
            return new Rejection(NbdError.EPERM, command + " on read-only export " + session.export().name());
        }
        int transmission = session.transmissionFlags();
        return switch (command) {
            case TRIM -> (transmission & NbdFlags.Transmission.SEND_TRIM) == 0 ? invalid("TRIM was not advertised")
                    : null;
            case WRITE_ZEROES -> (transmission & NbdFlags.Transmission.SEND_WRITE_ZEROES) == 0
                    ? invalid("WRITE_ZEROES was not advertised") : null;
            case BLOCK_STATUS -> session.baseAllocation() ? null
                    : invalid("BLOCK_STATUS without a metadata context selected for this export");
            case CACHE, RESIZE -> invalid(command + " is not supported");
            case READ, WRITE, DISC, FLUSH -> null;
        };
    }

    private static Rejection invalid(String message) {
        return new Rejection(NbdError.EINVAL, message);
    }
}
