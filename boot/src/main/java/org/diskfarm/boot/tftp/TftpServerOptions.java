package org.diskfarm.boot.tftp;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link TftpServer} serves its transfers. The limits cap what clients may negotiate (RFC 2348, 7440): a client
 * that asks for more gets the cap in the OACK, one that asks for less gets what it asked for.
 *
 * @param maxBlockSize  largest {@code blksize} granted, 8 to 65464 (RFC 2348's range); 65464 by default, as a LAN
 *                      client that asks for big blocks knows its path MTU better than the server does
 * @param maxWindowSize largest {@code windowsize} granted, 1 to 65535 (RFC 7440); 64 by default: enough to fill a
 *                      gigabit link at 1468-byte blocks, little enough that a lost block costs a short resend
 * @param timeout       retransmission timeout of a transfer whose client sent no {@code timeout} option (RFC 2349);
 *                      1 s by default, at least 1 ms, at most 255 s
 * @param retries       timeouts in a row after which a transfer is abandoned (each resends the unacknowledged window);
 *                      5 by default
 * @param maxTransfers  transfers at once; a request beyond them is answered with ERROR 0 "server busy". 1000 by
 *                      default
 * @param eventLoops    threads that run transfers (each a {@link java.nio.channels.Selector} loop); one per processor
 *                      by default
 */
public record TftpServerOptions(int maxBlockSize, int maxWindowSize, Duration timeout, int retries, int maxTransfers,
        int eventLoops) {
    /** RFC 2348: blksize is 8 to 65464 octets. */
    public static final int MIN_BLOCK_SIZE = 8;
    public static final int MAX_BLOCK_SIZE = 65464;
    /** RFC 1350's block size, used when no blksize is negotiated. */
    public static final int DEFAULT_BLOCK_SIZE = 512;
    /** RFC 7440: windowsize is 1 to 65535 blocks. */
    public static final int MAX_WINDOW_SIZE = 65535;

    /** 65464-byte blocks, windows of 64, 1 s timeout, 5 retries, 1000 transfers, one loop per processor. */
    public static final TftpServerOptions DEFAULTS = new TftpServerOptions(MAX_BLOCK_SIZE, 64, Duration.ofSeconds(1),
            5, 1000, Runtime.getRuntime().availableProcessors());

    public TftpServerOptions {
        if (maxBlockSize < MIN_BLOCK_SIZE || maxBlockSize > MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("maxBlockSize must be 8 to 65464, not " + maxBlockSize);
        }
        if (maxWindowSize < 1 || maxWindowSize > MAX_WINDOW_SIZE) {
            throw new IllegalArgumentException("maxWindowSize must be 1 to 65535, not " + maxWindowSize);
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(Duration.ofSeconds(255)) > 0) {
            throw new IllegalArgumentException("timeout must be 1 ms to 255 s, not " + timeout);
        }
        if (retries < 0 || maxTransfers < 1 || eventLoops < 1) {
            throw new IllegalArgumentException("retries must be at least 0, maxTransfers and eventLoops at least 1");
        }
    }

    public TftpServerOptions withMaxBlockSize(int bytes) {
        return new TftpServerOptions(bytes, maxWindowSize, timeout, retries, maxTransfers, eventLoops);
    }

    public TftpServerOptions withMaxWindowSize(int blocks) {
        return new TftpServerOptions(maxBlockSize, blocks, timeout, retries, maxTransfers, eventLoops);
    }

    public TftpServerOptions withTimeout(Duration t) {
        return new TftpServerOptions(maxBlockSize, maxWindowSize, t, retries, maxTransfers, eventLoops);
    }

    public TftpServerOptions withRetries(int n) {
        return new TftpServerOptions(maxBlockSize, maxWindowSize, timeout, n, maxTransfers, eventLoops);
    }

    public TftpServerOptions withMaxTransfers(int n) {
        return new TftpServerOptions(maxBlockSize, maxWindowSize, timeout, retries, n, eventLoops);
    }

    public TftpServerOptions withEventLoops(int n) {
        return new TftpServerOptions(maxBlockSize, maxWindowSize, timeout, retries, maxTransfers, n);
    }
}
