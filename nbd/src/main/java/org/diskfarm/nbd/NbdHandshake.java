package org.diskfarm.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.diskfarm.block.StorageException;

/**
 * The fixed newstyle handshake of one connection, as a state machine without I/O. The transport sends
 * {@link #greeting()}, then hands every byte it receives to {@link #consume} (or decoded messages to
 * {@link #onClientFlags} and {@link #onOption}) and sends the replies of each {@link Step} in order, until the state
 * is {@link State#TRANSMISSION} (go on with {@link Step#negotiated()}) or {@link State#CLOSED} (close the socket,
 * logging {@link Step#closeReason()}).
 *
 * <p>State: {@code CLIENT_FLAGS -> OPTIONS -> (TRANSMISSION | CLOSED)}. In OPTIONS, each option gets its replies and
 * the handshake stays there, except that GO and EXPORT_NAME for a known export enter TRANSMISSION, ABORT and an
 * EXPORT_NAME for an unknown export (which has no way to answer) close. Unknown options get ERR_UNSUP; malformed option
 * data gets ERR_INVALID; only framing errors (bad magic, an option longer than 64 KiB, unknown client flags) throw a
 * fatal {@link NbdProtocolException}.
 *
 * <p>Threads: one connection's thread (or event loop) at a time; not safe for concurrent calls.
 *
 * <p>Not done: TLS (STARTTLS gets ERR_UNSUP), extended headers (ERR_UNSUP), metadata contexts other than
 * {@code base:allocation}.
 */
public final class NbdHandshake {

    /** Where the handshake is. */
    public enum State {
        /** Waiting for the client's 32-bit flags after the greeting. */
        CLIENT_FLAGS,
        /** Haggling over options. */
        OPTIONS,
        /** Done: the transmission phase begins with the next byte. */
        TRANSMISSION,
        /** Done: the connection must be closed (after sending the step's replies). */
        CLOSED
    }

    /**
     * What one message led to.
     *
     * @param replies     messages to send, in order
     * @param state       the state after the message
     * @param negotiated  in {@link State#TRANSMISSION}, the outcome; else null
     * @param closeReason in {@link State#CLOSED}, why, for one log line; else null
     */
    public record Step(List<NbdHandshakeOutput> replies, State state, NbdNegotiated negotiated, String closeReason) {
        public Step {
            replies = List.copyOf(replies);
        }

        /** All replies in one buffer, flipped for writing to the socket. */
        public ByteBuffer encode() {
            ByteBuffer buf = ByteBuffer.allocate(replies.stream().mapToInt(NbdHandshakeOutput::size).sum());
            replies.forEach(r -> r.encodeTo(buf));
            return buf.flip();
        }
    }

    private final NbdExports exports;
    private State state = State.CLIENT_FLAGS;
    private boolean noZeroes;
    private boolean structuredReplies;
    /** The export name base:allocation was last selected for, or null if no context is selected. */
    private String metaContextExport;

    public NbdHandshake(NbdExports exports) {
        this.exports = Objects.requireNonNull(exports);
    }

    /** The first bytes to send on a new connection. */
    public NbdServerGreeting greeting() {
        return NbdServerGreeting.DEFAULT;
    }

    public State state() {
        return state;
    }

    /**
     * Decodes the next client message from {@code in} and handles it; returns null (consuming nothing) if more bytes
     * are needed. Only in states CLIENT_FLAGS and OPTIONS.
     */
    public Step consume(ByteBuffer in) {
        return switch (state) {
            case CLIENT_FLAGS -> {
                NbdClientFlags flags = NbdClientFlags.decode(in);
                yield flags == null ? null : onClientFlags(flags);
            }
            case OPTIONS -> {
                NbdOptionRequest option = NbdOptionRequest.decode(in);
                yield option == null ? null : onOption(option);
            }
            case TRANSMISSION, CLOSED -> throw new IllegalStateException("handshake is over: " + state);
        };
    }

    /** Handles the client flags; unknown bits are fatal, as the protocol requires. */
    public Step onClientFlags(NbdClientFlags flags) {
        expect(State.CLIENT_FLAGS);
        int unknown = flags.flags() & ~NbdFlags.Client.KNOWN;
        if (unknown != 0) {
            state = State.CLOSED;
            throw NbdProtocolException.fatal("unknown client flags 0x" + Integer.toHexString(unknown));
        }
        noZeroes = flags.noZeroes();
        state = State.OPTIONS;
        return stay(List.of());
    }

    /** Handles one option. */
    public Step onOption(NbdOptionRequest request) {
        expect(State.OPTIONS);
        NbdOption option = request.known().orElse(null);
        if (option == null) {
            return stay(error(request, NbdOptionReplyType.ERR_UNSUP, NbdOption.describe(request.option())
                    + " is not supported"));
        }
        try {
            return switch (option) {
                case EXPORT_NAME -> exportName(request);
                case ABORT -> {
                    state = State.CLOSED;
                    yield new Step(List.of(NbdOptionReply.ack(request.option())), state, null, "client aborted");
                }
                case LIST -> list(request);
                case INFO, GO -> infoOrGo(request, option == NbdOption.GO);
                case STRUCTURED_REPLY -> structuredReply(request);
                case LIST_META_CONTEXT -> metaContext(request, false);
                case SET_META_CONTEXT -> metaContext(request, true);
                case STARTTLS -> stay(error(request, NbdOptionReplyType.ERR_UNSUP, "TLS is not supported"));
                case PEEK_EXPORT, EXTENDED_HEADERS -> stay(error(request, NbdOptionReplyType.ERR_UNSUP,
                        NbdOption.describe(option.code()) + " is not supported"));
            };
        } catch (NbdProtocolException e) {
            if (e.mustClose()) {
                throw e;
            }
            return stay(error(request, NbdOptionReplyType.ERR_INVALID,
                    NbdOption.describe(option.code()) + ": " + e.getMessage()));
        }
    }

    private Step exportName(NbdOptionRequest request) {
        ByteBuffer data = request.data();
        String asked = NbdWire.readString(data.duplicate(), data.remaining());
        Lookup found = lookup(asked);
        if (found.info == null) {
            state = State.CLOSED;
            return new Step(List.of(), state, null, "NBD_OPT_EXPORT_NAME: " + found.message);
        }
        NbdNegotiated negotiated = negotiate(found.info);
        state = State.TRANSMISSION;
        var reply = new NbdExportNameReply(found.info.size(), negotiated.transmissionFlags(), noZeroes);
        return new Step(List.of(reply), state, negotiated, null);
    }

    private Step list(NbdOptionRequest request) {
        if (request.data().hasRemaining()) {
            return stay(error(request, NbdOptionReplyType.ERR_INVALID, "NBD_OPT_LIST carries no data"));
        }
        List<NbdHandshakeOutput> replies = new ArrayList<>();
        for (String name : exports.names()) {
            replies.add(NbdOptionReply.server(request.option(), name));
        }
        replies.add(NbdOptionReply.ack(request.option()));
        return stay(replies);
    }

    private Step infoOrGo(NbdOptionRequest request, boolean go) {
        NbdGoRequest asked = NbdGoRequest.decode(request.data());
        Lookup found = lookup(asked.exportName());
        if (found.info == null) {
            return stay(error(request, found.error, found.message));
        }
        NbdExportInfo info = found.info;
        NbdNegotiated negotiated = negotiate(info);
        int option = request.option();
        List<NbdHandshakeOutput> replies = new ArrayList<>();
        replies.add(NbdOptionReply.info(option, new NbdInfo.Export(info.size(), negotiated.transmissionFlags())));
        if (asked.requests(NbdInfoType.NAME)) {
            replies.add(NbdOptionReply.info(option, new NbdInfo.Name(info.name())));
        }
        if (asked.requests(NbdInfoType.DESCRIPTION) && !info.description().isEmpty()) {
            replies.add(NbdOptionReply.info(option, new NbdInfo.Description(info.description())));
        }
        // Always, asked for or not: without a minimum block size QEMU sends 1-byte writes.
        var limits = info.limits();
        replies.add(NbdOptionReply.info(option,
                new NbdInfo.BlockSize(limits.minimum(), limits.preferred(), limits.maximum())));
        replies.add(NbdOptionReply.ack(option));
        if (!go) {
            return stay(replies);
        }
        state = State.TRANSMISSION;
        return new Step(replies, state, negotiated, null);
    }

    private Step structuredReply(NbdOptionRequest request) {
        if (request.data().hasRemaining()) {
            return stay(error(request, NbdOptionReplyType.ERR_INVALID, "NBD_OPT_STRUCTURED_REPLY carries no data"));
        }
        structuredReplies = true;
        return stay(List.of(NbdOptionReply.ack(request.option())));
    }

    /** LIST_META_CONTEXT ({@code set} false) and SET_META_CONTEXT ({@code set} true). */
    private Step metaContext(NbdOptionRequest request, boolean set) {
        if (set) {
            metaContextExport = null; // replaced even when this option fails
        }
        String name = set ? "NBD_OPT_SET_META_CONTEXT" : "NBD_OPT_LIST_META_CONTEXT";
        if (!structuredReplies) {
            return stay(error(request, NbdOptionReplyType.ERR_INVALID, name + " before NBD_OPT_STRUCTURED_REPLY"));
        }
        NbdMetaContextRequest asked = NbdMetaContextRequest.decode(request.data());
        Lookup found = lookup(asked.exportName());
        if (found.info == null) {
            return stay(error(request, found.error, found.message));
        }
        boolean matches = set
                ? asked.queries().contains(NbdNegotiated.BASE_ALLOCATION)
                : asked.queries().isEmpty() || asked.queries().stream().anyMatch(NbdHandshake::listQueryMatches);
        List<NbdHandshakeOutput> replies = new ArrayList<>();
        if (matches) {
            // The id in a LIST reply is meaningless; the protocol asks for zero.
            int id = set ? NbdNegotiated.BASE_ALLOCATION_ID : 0;
            replies.add(NbdOptionReply.metaContext(request.option(), id, NbdNegotiated.BASE_ALLOCATION));
            if (set) {
                metaContextExport = found.info.name();
            }
        }
        replies.add(NbdOptionReply.ack(request.option()));
        return stay(replies);
    }

    private static boolean listQueryMatches(String query) {
        return query.equals("base:") || query.equals(NbdNegotiated.BASE_ALLOCATION);
    }

    private NbdNegotiated negotiate(NbdExportInfo info) {
        boolean baseAllocation = structuredReplies && info.name().equals(metaContextExport);
        return new NbdNegotiated(info, info.transmissionFlags(structuredReplies), structuredReplies, baseAllocation,
                noZeroes);
    }

    /** The result of looking up an export: its info, or the option error and message that say why not. */
    private record Lookup(NbdExportInfo info, NbdOptionReplyType error, String message) {
    }

    private Lookup lookup(String asked) {
        String name = asked;
        if (name.isEmpty()) {
            Optional<String> fallback = exports.defaultExport();
            if (fallback.isEmpty()) {
                return new Lookup(null, NbdOptionReplyType.ERR_UNKNOWN, "no default export; ask for one by name");
            }
            name = fallback.get();
        }
        try {
            Optional<NbdExportInfo> info = exports.lookup(name);
            return info.map(i -> new Lookup(i, null, null))
                    .orElseGet(() -> new Lookup(null, NbdOptionReplyType.ERR_UNKNOWN, "no export named '" + asked
                            + "'"));
        } catch (StorageException e) {
            return new Lookup(null, NbdErrors.optionErrorFor(e.kind()), "export '" + asked + "': " + e.getMessage());
        }
    }

    private Step stay(List<NbdHandshakeOutput> replies) {
        return new Step(replies, state, null, null);
    }

    private static List<NbdHandshakeOutput> error(NbdOptionRequest request, NbdOptionReplyType type, String message) {
        return List.of(NbdOptionReply.error(request.option(), type, message));
    }

    private void expect(State expected) {
        if (state != expected) {
            throw new IllegalStateException("handshake is in state " + state + ", not " + expected);
        }
    }
}
