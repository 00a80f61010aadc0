package org.diskfarm.boot.tftp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Option negotiation for a read request (RFC 2347), checked before any file is opened. Unknown options are ignored, as
 * RFC 2347 says. A known option with a value outside its RFC's range, a non-numeric value, or an option named twice
 * fails the negotiation (ERROR 8): a request that broken says nothing reliable about what the client can take. A value
 * above what this server grants is lowered to the server's cap, which RFC 2348 and RFC 7440 allow.
 *
 * <ul>
 *   <li>{@code blksize} (RFC 2348): at least 8; above {@link TftpServerOptions#maxBlockSize()} it is lowered.</li>
 *   <li>{@code timeout} (RFC 2349): 1 to 255 seconds, acknowledged unchanged as the RFC requires.</li>
 *   <li>{@code tsize} (RFC 2349): any number (clients send 0); answered with the file's size in octet mode. In
 *       netascii mode it is left out of the OACK: the converted size is not known without reading the whole file.</li>
 *   <li>{@code windowsize} (RFC 7440): at least 1; above {@link TftpServerOptions#maxWindowSize()} it is lowered.</li>
 * </ul>
 *
 * @param blockSize  bytes per DATA block
 * @param windowSize blocks sent before waiting for an ACK
 * @param timeout    the retransmission timeout the client asked for, or null to use the server's
 * @param accepted   the options to acknowledge, in the client's order; {@code tsize} holds a placeholder that
 *                   {@link #optionAck(long)} fills in
 */
record TftpNegotiation(int blockSize, int windowSize, Duration timeout, List<TftpOption> accepted) {

    /** Negotiates the options of a read request in {@code mode} against the server's limits. */
    static TftpNegotiation negotiate(List<TftpOption> requested, TftpMode mode, TftpServerOptions limits)
            throws TftpRefusal {
        int blockSize = TftpServerOptions.DEFAULT_BLOCK_SIZE;
        int windowSize = 1;
        Duration timeout = null;
        List<TftpOption> accepted = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (TftpOption option : requested) {
            String key = option.key();
            if (!seen.add(key)) {
                throw refuse("option " + key + " appears more than once");
            }
            switch (key) {
                case TftpOption.BLKSIZE -> {
                    long asked = number(option, TftpServerOptions.MIN_BLOCK_SIZE, Long.MAX_VALUE, "8 or more");
                    blockSize = (int) Math.min(asked, limits.maxBlockSize());
                    accepted.add(new TftpOption(option.name(), Integer.toString(blockSize)));
                }
                case TftpOption.TIMEOUT -> {
                    long seconds = number(option, 1, 255, "1 to 255 seconds");
                    timeout = Duration.ofSeconds(seconds);
                    accepted.add(new TftpOption(option.name(), Long.toString(seconds)));
                }
                case TftpOption.TSIZE -> {
                    number(option, 0, Long.MAX_VALUE, "a size in octets");
                    if (mode == TftpMode.OCTET) {
                        accepted.add(new TftpOption(option.name(), ""));
                    }
                }
                case TftpOption.WINDOWSIZE -> {
                    long asked = number(option, 1, Long.MAX_VALUE, "1 or more");
                    windowSize = (int) Math.min(asked, limits.maxWindowSize());
                    accepted.add(new TftpOption(option.name(), Integer.toString(windowSize)));
                }
                default -> {
                    // RFC 2347: an option the server does not support is left out of the OACK.
                }
            }
        }
        return new TftpNegotiation(blockSize, windowSize, timeout, accepted);
    }

    /** The OACK to send for a file of {@code fileSize} bytes, or null when no option was accepted. */
    TftpOptionAck optionAck(long fileSize) {
        if (accepted.isEmpty()) {
            return null;
        }
        List<TftpOption> options = new ArrayList<>(accepted.size());
        for (TftpOption option : accepted) {
            options.add(option.key().equals(TftpOption.TSIZE)
                    ? new TftpOption(option.name(), Long.toString(fileSize)) : option);
        }
        return new TftpOptionAck(options);
    }

    private static long number(TftpOption option, long min, long max, String range) throws TftpRefusal {
        long value = parseDecimal(option.value());
        if (value < min || value > max) {
            throw refuse(option.key() + " " + abbreviate(option.value()) + " is not " + range);
        }
        return value;
    }

    /** A decimal number of ASCII digits; -1 if it is empty or not all digits; Long.MAX_VALUE if it overflows. */
    static long parseDecimal(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : value * 10 + (c - '0');
        }
        return value;
    }

    private static String abbreviate(String value) {
        return value.length() <= 20 ? value : value.substring(0, 20) + "...";
    }

    private static TftpRefusal refuse(String message) {
        return new TftpRefusal(TftpErrorCode.OPTION_REFUSED, message);
    }
}
