/**
 * A read-only TFTP server for network boot (RFC 1350; options of RFC 2347, blksize of RFC 2348, timeout and tsize of
 * RFC 2349, windowsize of RFC 7440), JDK only, confined to its boot folders. See docs/tftp.md.
 *
 * <p>Public: {@link org.diskfarm.boot.tftp.TftpServer} and its {@link org.diskfarm.boot.tftp.TftpServerOptions} and
 * {@link org.diskfarm.boot.tftp.TftpStats}; the file seam {@link org.diskfarm.boot.tftp.TftpFiles},
 * {@link org.diskfarm.boot.tftp.TftpFile}, {@link org.diskfarm.boot.tftp.TftpRefusal} and
 * {@link org.diskfarm.boot.tftp.BootFolder}; the wire records ({@link org.diskfarm.boot.tftp.TftpPacket} and its
 * kinds), which tests use as a client does. Inside: the listener (requests), sessions (one per transfer), event loops,
 * option negotiation, block sources (octet, netascii) and the rate-limited problem log.
 */
package org.diskfarm.boot.tftp;
