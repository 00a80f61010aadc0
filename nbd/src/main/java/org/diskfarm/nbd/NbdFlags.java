package org.diskfarm.nbd;

/**
 * The bit flags of the protocol, grouped by the field they go in. Flags are plain {@code int}s because they are
 * combined and sent as they are; unknown bits are the caller's to reject or ignore as the protocol says.
 */
public final class NbdFlags {
    private NbdFlags() {
    }

    /** Handshake flags, 16 bits, sent by the server after the magic. */
    public static final class Handshake {
        public static final int FIXED_NEWSTYLE = 1;
        public static final int NO_ZEROES = 1 << 1;

        private Handshake() {
        }
    }

    /** Client flags, 32 bits, the client's answer to the greeting. */
    public static final class Client {
        public static final int FIXED_NEWSTYLE = 1;
        public static final int NO_ZEROES = 1 << 1;
        public static final int KNOWN = FIXED_NEWSTYLE | NO_ZEROES;

        private Client() {
        }
    }

    /** Transmission flags, 16 bits, per export (NBD_FLAG_*). */
    public static final class Transmission {
        public static final int HAS_FLAGS = 1;
        public static final int READ_ONLY = 1 << 1;
        public static final int SEND_FLUSH = 1 << 2;
        public static final int SEND_FUA = 1 << 3;
        public static final int ROTATIONAL = 1 << 4;
        public static final int SEND_TRIM = 1 << 5;
        public static final int SEND_WRITE_ZEROES = 1 << 6;
        public static final int SEND_DF = 1 << 7;
        public static final int CAN_MULTI_CONN = 1 << 8;
        public static final int SEND_RESIZE = 1 << 9;
        public static final int SEND_CACHE = 1 << 10;
        public static final int SEND_FAST_ZERO = 1 << 11;

        private Transmission() {
        }
    }

    /** Command flags, 16 bits, in each request (NBD_CMD_FLAG_*). */
    public static final class Command {
        public static final int FUA = 1;
        public static final int NO_HOLE = 1 << 1;
        public static final int DF = 1 << 2;
        public static final int REQ_ONE = 1 << 3;
        public static final int FAST_ZERO = 1 << 4;
        public static final int KNOWN = FUA | NO_HOLE | DF | REQ_ONE | FAST_ZERO;

        private Command() {
        }
    }

    /** Flags of a structured reply chunk (NBD_REPLY_FLAG_*). */
    public static final class Reply {
        public static final int DONE = 1;

        private Reply() {
        }
    }

    /** Flags of a {@code base:allocation} block status descriptor (NBD_STATE_*). */
    public static final class Allocation {
        public static final int HOLE = 1;
        public static final int ZERO = 1 << 1;

        private Allocation() {
        }
    }
}
