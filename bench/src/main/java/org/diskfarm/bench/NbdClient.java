package org.diskfarm.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A minimal NBD client for the boot storm: the fixed newstyle handshake with NBD_OPT_GO (no structured replies, so
 * every read gets a simple reply), then READ requests one at a time, then NBD_CMD_DISC. Written from the protocol
 * description (nbd project, doc/proto.md); it checks magics, errors and cookies and nothing more.
 *
 * <p>Threads: one thread at a time per connection.
 */
final class NbdClient implements BootStorm.Client {
    private static final long NBDMAGIC = 0x4e42444d41474943L;
    private static final long IHAVEOPT = 0x49484156454f5054L;
    private static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;
    private static final int REQUEST_MAGIC = 0x25609513;
    private static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    private static final int OPT_GO = 7;
    private static final int REP_ACK = 1;
    private static final int REP_INFO = 3;
    private static final int CMD_READ = 0;
    private static final int CMD_DISC = 2;

    private final SocketChannel channel;
    private final ByteBuffer request = ByteBuffer.allocateDirect(28);
    private final ByteBuffer replyHeader = ByteBuffer.allocateDirect(16);
    private long size = -1;
    private long cookie;

    private NbdClient(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects and negotiates {@code export}; returns once the server has acknowledged NBD_OPT_GO. */
    static NbdClient connect(int port, String export) throws IOException {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        NbdClient client = new NbdClient(channel);
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            client.handshake(export);
            return client;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void handshake(String export) throws IOException {
        ByteBuffer greeting = readFully(ByteBuffer.allocate(18));
        if (greeting.getLong(0) != NBDMAGIC || greeting.getLong(8) != IHAVEOPT) {
            throw new IOException("not a fixed newstyle NBD server");
        }
        int serverFlags = greeting.getShort(16) & 0xffff;
        int clientFlags = 1 | (serverFlags & 2); // FIXED_NEWSTYLE, and NO_ZEROES if offered
        byte[] name = export.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(4 + 16 + 4 + name.length + 2);
        out.putInt(clientFlags).putLong(IHAVEOPT).putInt(OPT_GO).putInt(4 + name.length + 2).putInt(name.length)
                .put(name).putShort((short) 0).flip();
        writeFully(out);
        while (true) {
            ByteBuffer header = readFully(ByteBuffer.allocate(20));
            if (header.getLong(0) != OPTION_REPLY_MAGIC) {
                throw new IOException("bad option reply magic");
            }
            int type = header.getInt(12);
            int length = header.getInt(16);
            if (length < 0 || length > 1 << 20) {
                throw new IOException("option reply too long: " + length);
            }
            ByteBuffer data = readFully(ByteBuffer.allocate(length));
            if (type == REP_ACK) {
                break;
            }
            if ((type & 0x8000_0000) != 0) {
                String message = new String(data.array(), StandardCharsets.UTF_8);
                throw new IOException("export " + export + " refused (reply type 0x" + Integer.toHexString(type)
                        + "): " + message);
            }
            if (type == REP_INFO && length >= 12 && data.getShort(0) == 0) {
                size = data.getLong(2);
            }
        }
        if (size < 0) {
            throw new IOException("no export size in the reply to NBD_OPT_GO");
        }
    }

    long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int length = dst.remaining();
        long sent = ++cookie;
        request.clear();
        request.putInt(REQUEST_MAGIC).putShort((short) 0).putShort((short) CMD_READ).putLong(sent).putLong(offset)
                .putInt(length).flip();
        writeFully(request);
        replyHeader.clear();
        readFully(replyHeader);
        if (replyHeader.getInt(0) != SIMPLE_REPLY_MAGIC || replyHeader.getLong(8) != sent) {
            throw new IOException("bad reply (magic or cookie) to a read at " + offset);
        }
        int error = replyHeader.getInt(4);
        if (error != 0) {
            throw new IOException("read at " + offset + " failed with errno " + error);
        }
        readFully(dst);
    }

    private ByteBuffer readFully(ByteBuffer buffer) throws IOException {
        Sockets.readFully(channel, buffer);
        return buffer.flip();
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        Sockets.writeFully(channel, buffer);
    }

    /** Sends NBD_CMD_DISC (best effort) and closes the socket. */
    @Override
    public void close() {
        try {
            if (size >= 0) {
                request.clear();
                request.putInt(REQUEST_MAGIC).putShort((short) 0).putShort((short) CMD_DISC).putLong(++cookie)
                        .putLong(0).putInt(0).flip();
                writeFully(request);
            }
        } catch (IOException e) {
            // The server may already be gone; closing is all that is left.
        } finally {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing more to do.
            }
        }
    }
}
