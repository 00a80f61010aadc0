package org.diskfarm.nbd;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

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
