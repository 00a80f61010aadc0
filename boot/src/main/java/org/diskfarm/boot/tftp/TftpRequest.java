package org.diskfarm.boot.tftp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * RRQ or WRQ (RFC 1350 section 5) with the options of RFC 2347: opcode, file name, mode, then option name/value
 * pairs, every field a NUL-terminated string. The decoder checks only the shape; what the names and values mean is
 * {@link TftpNegotiation}'s business, so duplicates and absurd values reach it as sent.
 *
 * <p>Trailing NUL bytes after the last complete pair are accepted as padding (some PXE ROMs send them); any other
 * leftover is {@link TftpPacketException.Reason#MALFORMED_OPTIONS}.
 *
 * @param opcode   {@link TftpOpcode#RRQ} or {@link TftpOpcode#WRQ}
 * @param filename the requested name, decoded as UTF-8, not yet checked
 * @param mode     the transfer mode as sent ({@link TftpMode#fromName} reads it)
 * @param options  the options in the order sent, duplicates included
 */
public record TftpRequest(TftpOpcode opcode, String filename, String mode, List<TftpOption> options)
        implements TftpPacket {
    /** RFC 2347: "The maximum size of a request packet is 512 octets." Longer requests are refused. */
    public static final int MAX_SIZE = 512;

    public TftpRequest {
        if (opcode != TftpOpcode.RRQ && opcode != TftpOpcode.WRQ) {
            throw new IllegalArgumentException("a request is an RRQ or a WRQ, not " + opcode);
        }
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(mode, "mode");
        options = List.copyOf(options);
    }

    /** A read request for {@code filename} in {@code mode} with these options. */
    public static TftpRequest read(String filename, TftpMode mode, TftpOption... options) {
        return new TftpRequest(TftpOpcode.RRQ, filename, mode.wireName(), List.of(options));
    }

    public static TftpRequest decode(ByteBuffer src) throws TftpPacketException {
        if (src.remaining() > MAX_SIZE) {
            throw new TftpPacketException(TftpPacketException.Reason.TOO_LONG,
                    "request of " + src.remaining() + " bytes is longer than " + MAX_SIZE);
        }
        TftpOpcode opcode = TftpOpcode.fromCode(TftpPacket.peekOpcode(src))
                .filter(o -> o == TftpOpcode.RRQ || o == TftpOpcode.WRQ)
                .orElseThrow(() -> new IllegalArgumentException("not a request"));
        src.getShort();
        String filename = TftpStrings.readUtf8(src, "file name");
        String mode = TftpStrings.readAscii(src, "mode");
        List<TftpOption> options = new ArrayList<>();
        while (src.hasRemaining()) {
            if (src.get(src.position()) == 0) {
                skipPadding(src);
                break;
            }
            String name = TftpStrings.readAscii(src, "option name");
            String value = TftpStrings.readAscii(src, "value of option " + name);
            options.add(new TftpOption(name, value));
        }
        return new TftpRequest(opcode, filename, mode, options);
    }

    private static void skipPadding(ByteBuffer src) throws TftpPacketException {
        while (src.hasRemaining()) {
            if (src.get() != 0) {
                throw new TftpPacketException(TftpPacketException.Reason.MALFORMED_OPTIONS,
                        "option with an empty name");
            }
        }
    }

    /** The mode, if it is one RFC 1350 defines. */
    public Optional<TftpMode> transferMode() {
        return TftpMode.fromName(mode);
    }

    @Override
    public int size() {
        int size = OPCODE_SIZE + TftpStrings.utf8Size(filename) + TftpStrings.asciiSize(mode);
        for (TftpOption option : options) {
            size += TftpStrings.asciiSize(option.name()) + TftpStrings.asciiSize(option.value());
        }
        return size;
    }

    @Override
    public void encodeTo(ByteBuffer dst) {
        dst.putShort((short) opcode.code());
        TftpStrings.writeUtf8(dst, filename);
        TftpStrings.writeAscii(dst, mode);
        for (TftpOption option : options) {
            TftpStrings.writeAscii(dst, option.name());
            TftpStrings.writeAscii(dst, option.value());
        }
    }
}
