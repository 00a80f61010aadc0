package org.diskfarm.boot.tftp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * OACK (RFC 2347): opcode 6 and the options the server accepted, each with the value it will use. The server sends
 * one only when it accepted at least one option; otherwise the transfer starts as RFC 1350 says.
 *
 * @param options the accepted options, in the order they are sent
 */
public record TftpOptionAck(List<TftpOption> options) implements TftpPacket {
    public TftpOptionAck {
        options = List.copyOf(options);
    }

    public static TftpOptionAck decode(ByteBuffer src) throws TftpPacketException {
        src.getShort();
        List<TftpOption> options = new ArrayList<>();
        while (src.hasRemaining()) {
            String name = TftpStrings.readAscii(src, "option name");
            options.add(new TftpOption(name, TftpStrings.readAscii(src, "value of option " + name)));
        }
        return new TftpOptionAck(options);
    }

    /** The value of the option with this name (case-insensitive), if present. */
    public Optional<String> value(String name) {
        return options.stream().filter(o -> o.name().equalsIgnoreCase(name)).map(TftpOption::value).findFirst();
    }

    @Override
    public TftpOpcode opcode() {
        return TftpOpcode.OACK;
    }

    @Override
    public int size() {
        int size = OPCODE_SIZE;
        for (TftpOption option : options) {
            size += TftpStrings.asciiSize(option.name()) + TftpStrings.asciiSize(option.value());
        }
        return size;
    }

    @Override
    public void encodeTo(ByteBuffer dst) {
        dst.putShort((short) TftpOpcode.OACK.code());
        for (TftpOption option : options) {
            TftpStrings.writeAscii(dst, option.name());
            TftpStrings.writeAscii(dst, option.value());
        }
    }
}
