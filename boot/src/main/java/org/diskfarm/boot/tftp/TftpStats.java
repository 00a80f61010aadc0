package org.diskfarm.boot.tftp;

/**
 * A snapshot of a {@link TftpServer}'s counters since it started.
 *
 * @param started        transfers begun (a request accepted and its file opened)
 * @param completed      transfers whose last block the client acknowledged
 * @param aborted        transfers the client ended with an ERROR (PXE ROMs ask for {@code tsize}, then do so on
 *                       purpose)
 * @param failed         transfers the server gave up: retries exhausted, a read error, the server stopping
 * @param refused        requests answered with an ERROR instead of a transfer (missing file, bad options, busy, WRQ)
 * @param bytesSent      DATA payload bytes sent, retransmissions included
 * @param retransmitted  DATA blocks and OACKs sent again after a timeout or an out-of-sequence ACK
 * @param badPackets     datagrams dropped or answered with an ERROR because they were malformed or out of place
 */
public record TftpStats(long started, long completed, long aborted, long failed, long refused, long bytesSent, long retransmitted,
        long badPackets) {
}
