package org.diskfarm.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal iSCSI initiator for the boot storm (RFC 7143): one session of one connection, login with AuthMethod=None
 * and no digests, READ CAPACITY(10) for the block size, then READ(10)s one at a time, then a logout. It answers the
 * target's NOP-In pings and checks opcodes, task tags, statuses and Data-In offsets, and nothing more.
 *
 * <p>Threads: one thread at a time per session.
 */
final class IscsiInitiator implements BootStorm.Client {
    private static final int NOP_OUT = 0x00;
    private static final int SCSI_COMMAND = 0x01;
    private static final int LOGIN_REQUEST = 0x03;
    private static final int LOGOUT_REQUEST = 0x06;
    private static final int NOP_IN = 0x20;
    private static final int SCSI_RESPONSE = 0x21;
    private static final int LOGIN_RESPONSE = 0x23;
    private static final int DATA_IN = 0x25;
    private static final int LOGOUT_RESPONSE = 0x26;
    private static final int ASYNC_MESSAGE = 0x32;
    private static final int IMMEDIATE = 0x40;
    private static final int FULL_FEATURE = 3;
    private static final int OPERATIONAL = 1;
    private static final int RESERVED_TAG = 0xffffffff;
    /** What we accept per Data-In PDU: a 64 KiB READ comes in one PDU from a target that honours it. */
    private static final int MAX_RECV = 256 << 10;

    private final SocketChannel channel;
    private final long lun;
    private final ByteBuffer header = ByteBuffer.allocateDirect(48);
    private final ByteBuffer out = ByteBuffer.allocateDirect(48);
    private int cmdSN = 1;
    private int expStatSN;
    private int itt;
    private int blockSize;
    private boolean loggedIn;

    private IscsiInitiator(SocketChannel channel, long lun) {
        this.channel = channel;
        this.lun = lun;
    }

    /**
     * Connects to 127.0.0.1:{@code port}, logs in to {@code target} as initiator {@code initiatorName} (each session
     * of a storm has its own name and ISID, as booting machines do) and reads the capacity of LUN {@code lun}.
     */
    static IscsiInitiator login(int port, String target, long lun, String initiatorName, int isid)
            throws IOException {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        IscsiInitiator initiator = new IscsiInitiator(channel, lun);
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            initiator.negotiate(target, initiatorName, isid);
            initiator.readCapacity();
            return initiator;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * The login: a first request from the security stage with every key, asking to go to full feature phase; if the
     * target stops at the operational stage, a second request from there (with no keys) finishes it.
     */
    private void negotiate(String target, String initiatorName, int isid) throws IOException {
        String keys = "InitiatorName=" + initiatorName + "\0SessionType=Normal\0TargetName=" + target
                + "\0AuthMethod=None\0HeaderDigest=None\0DataDigest=None\0MaxRecvDataSegmentLength=" + MAX_RECV
                + "\0MaxBurstLength=" + MAX_RECV + "\0ErrorRecoveryLevel=0\0";
        int stage = 0;
        byte[] data = keys.getBytes(StandardCharsets.US_ASCII);
        int tsih = 0;
        for (int attempt = 0; attempt < 4; attempt++) {
            ByteBuffer bhs = bhs(LOGIN_REQUEST | IMMEDIATE, 0x80 | (stage << 2) | FULL_FEATURE, data.length);
            bhs.putShort(8, (short) 0x8000).putInt(10, isid).putShort(14, (short) tsih).putInt(16, ++itt)
                    .putInt(24, cmdSN).putInt(28, expStatSN);
            send(bhs, data);
            ByteBuffer response = receiveHeader();
            byte[] answer = receiveData(response);
            if ((response.get(0) & 0x3f) != LOGIN_RESPONSE) {
                throw new IOException("expected a login response, got opcode 0x"
                        + Integer.toHexString(response.get(0) & 0x3f));
            }
            int status = response.getShort(36) & 0xffff;
            if (status != 0) {
                throw new IOException("login to " + target + " refused: status 0x" + Integer.toHexString(status)
                        + " " + text(answer));
            }
            expStatSN = response.getInt(24) + 1;
            tsih = response.getShort(14) & 0xffff;
            int flags = response.get(1);
            if ((flags & 0x80) != 0 && (flags & 3) == FULL_FEATURE) {
                loggedIn = true;
                return;
            }
            // The target answered without moving to full feature phase (or moved to the operational stage only).
            stage = (flags & 0x80) != 0 ? flags & 3 : (flags >> 2) & 3;
            if (stage != OPERATIONAL && stage != 0) {
                throw new IOException("login to " + target + ": unexpected stage " + stage);
            }
            data = new byte[0];
        }
        throw new IOException("login to " + target + " did not reach full feature phase");
    }

    /** A CHECK CONDITION with sense key UNIT ATTENTION (tgtd reports its power-on to each new session's first command). */
    private static final class UnitAttention extends IOException {
        UnitAttention(String message) {
            super(message);
        }
    }

    /** READ CAPACITY(10), repeated after a unit attention as initiators do. */
    private void readCapacity() throws IOException {
        ByteBuffer capacity = ByteBuffer.allocate(8);
        for (int attempt = 1; ; attempt++) {
            try {
                command(new byte[] {0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0}, capacity);
                break;
            } catch (UnitAttention e) {
                if (attempt == 3) {
                    throw e;
                }
                capacity.clear();
            }
        }
        blockSize = capacity.getInt(4);
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1) {
            throw new IOException("READ CAPACITY gave block size " + blockSize);
        }
    }

    /** READ(10) of {@code dst.remaining()} bytes (whole blocks) at {@code offset}. */
    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int length = dst.remaining();
        if (offset % blockSize != 0 || length % blockSize != 0) {
            throw new IllegalArgumentException("not whole blocks of " + blockSize + ": " + offset + "+" + length);
        }
        long lba = offset / blockSize;
        int blocks = length / blockSize;
        byte[] cdb = {0x28, 0, (byte) (lba >> 24), (byte) (lba >> 16), (byte) (lba >> 8), (byte) lba, 0,
                (byte) (blocks >> 8), (byte) blocks, 0};
        command(cdb, dst);
    }

    /** Sends a read-type command expecting {@code dst.remaining()} bytes and receives them into {@code dst}. */
    private void command(byte[] cdb, ByteBuffer dst) throws IOException {
        int length = dst.remaining();
        int start = dst.position();
        int tag = ++itt;
        ByteBuffer bhs = bhs(SCSI_COMMAND, 0x80 | 0x40 | 1, 0); // final, read, simple task attribute
        bhs.putLong(8, lun << 48).putInt(16, tag).putInt(20, length).putInt(24, cmdSN++).putInt(28, expStatSN)
                .position(32);
        bhs.put(cdb).position(0);
        send(bhs, null);
        int received = 0;
        while (true) {
            ByteBuffer in = receiveHeader();
            int opcode = in.get(0) & 0x3f;
            int dataLength = in.getInt(4) & 0xffffff;
            if (opcode == NOP_IN) {
                receiveData(in);
                answerNop(in);
                continue;
            }
            if (opcode == ASYNC_MESSAGE) {
                receiveData(in);
                continue;
            }
            if (in.getInt(16) != tag) {
                throw new IOException("reply for task 0x" + Integer.toHexString(in.getInt(16)) + ", opcode 0x"
                        + Integer.toHexString(opcode) + ", while waiting for 0x" + Integer.toHexString(tag));
            }
            if (opcode == DATA_IN) {
                int bufferOffset = in.getInt(40);
                if (bufferOffset != received || received + dataLength > length) {
                    throw new IOException("Data-In at offset " + bufferOffset + " (" + dataLength + " bytes) after "
                            + received + " of " + length);
                }
                dst.limit(start + received + dataLength).position(start + received);
                readFully(dst);
                skipPadding(dataLength);
                received += dataLength;
                int flags = in.get(1);
                if ((flags & 1) != 0) { // status in the last Data-In
                    expStatSN = in.getInt(24) + 1;
                    checkStatus(in.get(3) & 0xff, received, length);
                    break;
                }
            } else if (opcode == SCSI_RESPONSE) {
                byte[] sense = receiveData(in);
                expStatSN = in.getInt(24) + 1;
                if (in.get(2) != 0 || in.get(3) != 0) {
                    String message = "command 0x" + Integer.toHexString(cdb[0] & 0xff) + " failed: response "
                            + in.get(2) + ", status 0x" + Integer.toHexString(in.get(3) & 0xff) + ", sense "
                            + java.util.HexFormat.of().formatHex(sense);
                    if (in.get(3) == 2 && sense.length > 4 && (sense[4] & 0x0f) == 6) {
                        throw new UnitAttention(message);
                    }
                    throw new IOException(message);
                }
                checkStatus(0, received, length);
                break;
            } else {
                receiveData(in);
                throw new IOException("unexpected opcode 0x" + Integer.toHexString(opcode));
            }
        }
        dst.limit(start + length).position(start + length).flip().position(start);
    }

    private static void checkStatus(int status, int received, int length) throws IOException {
        if (status != 0) {
            throw new IOException("SCSI status 0x" + Integer.toHexString(status));
        }
        if (received != length) {
            throw new IOException("received " + received + " of " + length + " bytes");
        }
    }

    /** A NOP-In that asks for an answer (a target transfer tag other than 0xffffffff) gets a NOP-Out. */
    private void answerNop(ByteBuffer nopIn) throws IOException {
        expStatSN = nopIn.getInt(24) + 1;
        int ttt = nopIn.getInt(20);
        if (ttt == RESERVED_TAG) {
            return;
        }
        ByteBuffer bhs = bhs(NOP_OUT | IMMEDIATE, 0x80, 0);
        bhs.putLong(8, nopIn.getLong(8)).putInt(16, RESERVED_TAG).putInt(20, ttt).putInt(24, cmdSN)
                .putInt(28, expStatSN);
        send(bhs, null);
    }

    private ByteBuffer bhs(int opcode, int flags, int dataLength) {
        out.clear();
        for (int i = 0; i < 48; i += 8) {
            out.putLong(i, 0);
        }
        out.put(0, (byte) opcode).put(1, (byte) flags).putInt(4, dataLength & 0xffffff);
        return out;
    }

    private void send(ByteBuffer bhs, byte[] data) throws IOException {
        bhs.clear();
        writeFully(bhs);
        if (data != null && data.length > 0) {
            ByteBuffer padded = ByteBuffer.allocate((data.length + 3) & ~3);
            padded.put(data).clear();
            writeFully(padded);
        }
    }

    private ByteBuffer receiveHeader() throws IOException {
        header.clear();
        readFully(header);
        header.flip();
        if (header.get(4) != 0) {
            throw new IOException("unexpected AHS in a PDU with opcode 0x" + Integer.toHexString(header.get(0) & 0x3f));
        }
        return header;
    }

    /** The data segment of the PDU whose header was just read (padding dropped). */
    private byte[] receiveData(ByteBuffer bhs) throws IOException {
        int length = bhs.getInt(4) & 0xffffff;
        ByteBuffer data = ByteBuffer.allocate((length + 3) & ~3);
        readFully(data);
        byte[] bytes = new byte[length];
        data.flip().get(bytes);
        return bytes;
    }

    private void skipPadding(int dataLength) throws IOException {
        int padding = (4 - (dataLength & 3)) & 3;
        if (padding > 0) {
            readFully(ByteBuffer.allocate(padding));
        }
    }

    private static Map<String, String> text(byte[] data) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String pair : new String(data, StandardCharsets.US_ASCII).split("\0")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                keys.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return keys;
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        Sockets.readFully(channel, buffer);
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        Sockets.writeFully(channel, buffer);
    }

    /** Logs out (close the session; best effort, the answer is waited for) and closes the socket. */
    @Override
    public void close() {
        try {
            if (loggedIn) {
                loggedIn = false;
                ByteBuffer bhs = bhs(LOGOUT_REQUEST | IMMEDIATE, 0x80, 0);
                bhs.putInt(16, ++itt).putInt(24, cmdSN).putInt(28, expStatSN);
                send(bhs, null);
                for (int i = 0; i < 8; i++) {
                    ByteBuffer in = receiveHeader();
                    receiveData(in);
                    if ((in.get(0) & 0x3f) == LOGOUT_RESPONSE) {
                        break;
                    }
                }
            }
        } catch (IOException e) {
            // The target may already be gone; closing is all that is left.
        } finally {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing more to do.
            }
        }
    }
}
