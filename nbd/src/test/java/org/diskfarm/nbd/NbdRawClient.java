package org.diskfarm.nbd;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A minimal blocking NBD client over a plain socket, for tests that need exact control: the greeting, EXPORT_NAME with
 * NO_ZEROES, then one request at a time with simple replies. Not thread-safe.
 */
final class NbdRawClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private long nextCookie = 1;

    private NbdRawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects and reads the greeting, without answering it. */
    static NbdRawClient connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(5000);
        NbdRawClient client = new NbdRawClient(socket);
        client.in.readFully(new byte[18]); // NBDMAGIC, IHAVEOPT, handshake flags
        return client;
    }

    /** Connects and enters transmission on {@code export} with NBD_OPT_EXPORT_NAME. */
    static NbdRawClient open(int port, String export) throws IOException {
        NbdRawClient client = connect(port);
        client.send(ByteBuffer.allocate(4).putInt(NbdFlags.Client.FIXED_NEWSTYLE | NbdFlags.Client.NO_ZEROES)
                .flip());
        client.send(new NbdOptionRequest(NbdOption.EXPORT_NAME,
                ByteBuffer.wrap(export.getBytes(StandardCharsets.UTF_8))).encode());
        client.in.readFully(new byte[10]); // size and transmission flags
        return client;
    }

    /**
     * Connects and enters transmission on {@code export} with STRUCTURED_REPLY and then GO, so that READ replies
     * come as chunks ({@link #nextChunk}).
     */
    static NbdRawClient openStructured(int port, String export) throws IOException {
        NbdRawClient client = connect(port);
        client.send(ByteBuffer.allocate(4).putInt(NbdFlags.Client.FIXED_NEWSTYLE | NbdFlags.Client.NO_ZEROES)
                .flip());
        client.send(new NbdOptionRequest(NbdOption.STRUCTURED_REPLY, ByteBuffer.allocate(0)).encode());
        client.expectAck();
        client.send(new NbdOptionRequest(NbdOption.GO, new NbdGoRequest(export, List.of()).encode()).encode());
        client.expectAck();
        return client;
    }

    /** Reads option replies up to an ACK; fails on an error reply. */
    private void expectAck() throws IOException {
        while (true) {
            NbdOptionReply reply = nextOptionReply();
            if (reply.type() == NbdOptionReplyType.ACK.code()) {
                return;
            }
            if (reply.type() < 0) {
                throw new IOException("option " + reply.option() + " refused with " + reply.type());
            }
        }
    }

    NbdOptionReply nextOptionReply() throws IOException {
        byte[] header = new byte[NbdOptionReply.HEADER_SIZE];
        in.readFully(header);
        int length = ByteBuffer.wrap(header).getInt(16);
        ByteBuffer whole = ByteBuffer.allocate(header.length + length).put(header);
        in.readFully(whole.array(), header.length, length);
        return NbdOptionReply.decode(whole.position(0));
    }

    /** Sends a READ with these command flags without waiting for its reply. */
    void sendRead(long cookie, int flags, long offset, int length) throws IOException {
        ByteBuffer request = ByteBuffer.allocate(NbdRequest.SIZE);
        new NbdRequest(NbdCommand.READ, flags, cookie, offset, length).encodeTo(request);
        send(request.flip());
    }

    /** Reads the next structured reply chunk, whole. */
    NbdStructuredReply nextChunk() throws IOException {
        byte[] header = new byte[NbdStructuredReply.HEADER_SIZE];
        in.readFully(header);
        int length = ByteBuffer.wrap(header).getInt(16);
        ByteBuffer whole = ByteBuffer.allocate(header.length + length).put(header);
        in.readFully(whole.array(), header.length, length);
        return NbdStructuredReply.decode(whole.position(0));
    }

    /** The client's own port, to recognise this connection on the server. */
    int localPort() {
        return socket.getLocalPort();
    }

    /** Half-closes: the server sees the end of the stream. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    void send(ByteBuffer bytes) throws IOException {
        out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends a WRITE and returns the errno of its reply (0 for success). */
    int write(long offset, byte[] data) throws IOException {
        long cookie = nextCookie++;
        ByteBuffer request = ByteBuffer.allocate(NbdRequest.SIZE + data.length);
        new NbdRequest(NbdCommand.WRITE, 0, cookie, offset, data.length).encodeTo(request);
        request.put(data).flip();
        send(request);
        return readReply(cookie).error();
    }

    /** Sends a READ and returns its data; fails if the reply is an error. */
    byte[] read(long offset, int length) throws IOException {
        long cookie = nextCookie++;
        ByteBuffer request = ByteBuffer.allocate(NbdRequest.SIZE);
        new NbdRequest(NbdCommand.READ, 0, cookie, offset, length).encodeTo(request);
        send(request.flip());
        NbdSimpleReply reply = readReply(cookie);
        if (reply.error() != 0) {
            throw new IOException("READ failed with errno " + reply.error());
        }
        byte[] data = new byte[length];
        in.readFully(data);
        return data;
    }

    private NbdSimpleReply readReply(long cookie) throws IOException {
        byte[] header = new byte[NbdSimpleReply.SIZE];
        in.readFully(header);
        NbdSimpleReply reply = NbdSimpleReply.decode(ByteBuffer.wrap(header));
        if (reply.cookie() != cookie) {
            throw new IOException("reply for cookie " + reply.cookie() + ", expected " + cookie);
        }
        return reply;
    }

    /** Sends a READ without waiting for its reply (to pipeline several). */
    void sendRead(long cookie, long offset, int length) throws IOException {
        ByteBuffer request = ByteBuffer.allocate(NbdRequest.SIZE);
        new NbdRequest(NbdCommand.READ, 0, cookie, offset, length).encodeTo(request);
        send(request.flip());
    }

    /** Reads the next simple reply header, whichever request it answers. */
    NbdSimpleReply nextReply() throws IOException {
        byte[] header = new byte[NbdSimpleReply.SIZE];
        in.readFully(header);
        return NbdSimpleReply.decode(ByteBuffer.wrap(header));
    }

    byte[] readData(int length) throws IOException {
        byte[] data = new byte[length];
        in.readFully(data);
        return data;
    }

    /** Reads until the server closes the socket; true if it did (end of stream or reset) before the timeout. */
    boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain whatever the server still sent
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // connection reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
