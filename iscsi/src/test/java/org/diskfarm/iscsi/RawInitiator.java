package org.diskfarm.iscsi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A blocking iSCSI initiator for tests: sends what we tell it, including what real initiators never send. */
final class RawInitiator implements AutoCloseable {
    static final String NAME = "iqn.2025-01.org.diskfarm:test-initiator";

    final Socket socket;
    final PduCodec codec = new PduCodec();
    private final InputStream in;
    private final OutputStream out;
    private ByteBuffer received = ByteBuffer.allocate(1 << 20).flip();
    byte[] isid = {(byte) 0x80, 0x12, 0x34, 0x56, 0x78, (byte) 0x9a};
    int tsih;
    int cmdSN = 1;
    int expStatSN;
    int itt = 0x100;

    RawInitiator(int port) {
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        codec.maxRecvDataSegmentLength = 16 << 20;
    }

    void send(Pdu pdu) {
        sendRaw(codec.encode(pdu));
    }

    void sendRaw(ByteBuffer bytes) {
        try {
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next PDU, or null if the target closed the connection. Fails after the socket timeout. */
    Pdu receive() {
        try {
            while (true) {
                Pdu pdu = codec.decode(received);
                if (pdu != null) {
                    if (pdu.opcode() != Pdu.DATA_IN && pdu.opcode() != Pdu.R2T
                            && !(pdu.opcode() == Pdu.NOP_IN && pdu.itt() == Pdu.RESERVED_TAG)) {
                        expStatSN = pdu.u32(24) + 1;
                    } else if (pdu.opcode() == Pdu.DATA_IN && (pdu.flags() & 1) != 0) {
                        expStatSN = pdu.u32(24) + 1;
                    }
                    return pdu;
                }
                if (received.limit() == received.capacity()) {
                    ByteBuffer bigger = ByteBuffer.allocate(received.capacity() * 2);
                    bigger.put(received).flip();
                    received = bigger;
                }
                received.compact();
                int n = in.read(received.array(), received.position(), received.remaining());
                if (n < 0) {
                    received.flip();
                    return null;
                }
                received.position(received.position() + n).flip();
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no PDU from the target within the socket timeout");
        } catch (IOException e) {
            return null; // reset by the target
        }
    }

    /** True if the target closes the connection (after any PDUs it still sends). */
    boolean closedByTarget() {
        while (true) {
            Pdu p = receive();
            if (p == null) {
                return true;
            }
        }
    }

    Pdu loginRequest(int flags, String... keys) {
        Pdu p = Pdu.of(Pdu.LOGIN_REQUEST).immediate(true).flags(flags);
        System.arraycopy(isid, 0, p.bhs, 8, 6);
        p.u16(14, tsih).itt(itt).u16(20, 1).u32(24, cmdSN).u32(28, expStatSN);
        return p.data(text(keys));
    }

    static byte[] text(String... keys) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (String k : keys) {
            int eq = k.indexOf('=');
            pairs.add(Map.entry(k.substring(0, eq), k.substring(eq + 1)));
        }
        return TextKeys.encode(pairs);
    }

    static Map<String, String> keys(Pdu pdu) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, String> e : TextKeys.parse(pdu.data)) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    /** Logs in with AuthMethod=None straight to full feature phase; fails unless the target agrees. */
    Pdu login(String target, String... operational) {
        List<String> keys = new ArrayList<>(List.of("InitiatorName=" + NAME, "SessionType=Normal",
                "TargetName=" + target));
        keys.addAll(List.of(operational));
        send(loginRequest(0x80 | (1 << 2) | 3, keys.toArray(String[]::new)));
        Pdu r = receive();
        if (r == null || r.opcode() != Pdu.LOGIN_RESPONSE || LoginNegotiation.status(r) != 0
                || (r.flags() & 0x83) != 0x83) {
            throw new AssertionError("login failed: " + r + (r == null ? "" : " " + keys(r)));
        }
        tsih = r.u16(14);
        Map<String, String> answered = keys(r);
        codec.headerDigest = "CRC32C".equals(answered.get("HeaderDigest"));
        codec.dataDigest = "CRC32C".equals(answered.get("DataDigest"));
        return r;
    }

    Pdu discoveryLogin() {
        send(loginRequest(0x80 | (1 << 2) | 3, "InitiatorName=" + NAME, "SessionType=Discovery"));
        Pdu r = receive();
        if (r == null || LoginNegotiation.status(r) != 0) {
            throw new AssertionError("discovery login failed: " + r);
        }
        return r;
    }

    /** A SCSI Command with a fresh ITT and the next CmdSN. */
    Pdu command(byte[] cdb, int edtl, boolean read, boolean write, byte[] immediate, boolean finalBit) {
        Pdu p = Pdu.of(Pdu.SCSI_COMMAND).flags((finalBit ? 0x80 : 0) | (read ? 0x40 : 0) | (write ? 0x20 : 0) | 1);
        p.itt(++itt).u32(20, edtl).u32(24, cmdSN++).u32(28, expStatSN);
        System.arraycopy(cdb, 0, p.bhs, 32, Math.min(16, cdb.length));
        return p.data(immediate);
    }

    /** Sends a command and collects the Data-In it returns until its status. */
    Reply execute(byte[] cdb, int edtl, boolean read) {
        send(command(cdb, edtl, read, false, null, true));
        return collect();
    }

    Reply collect() {
        Reply reply = new Reply();
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        while (true) {
            Pdu p = receive();
            if (p == null) {
                throw new AssertionError("connection closed before the status");
            }
            reply.pdus.add(p);
            if (p.opcode() == Pdu.DATA_IN) {
                data.writeBytes(p.data);
                if ((p.flags() & 1) != 0) {
                    reply.status = p.u8(3);
                    reply.residualFlags = p.flags() & 0x06;
                    reply.residual = p.u32(44);
                    break;
                }
            } else if (p.opcode() == Pdu.SCSI_RESPONSE) {
                reply.status = p.u8(3);
                reply.residualFlags = p.flags() & 0x06;
                reply.residual = p.u32(44);
                if (p.data.length >= 2) {
                    int n = ((p.data[0] & 0xff) << 8) | (p.data[1] & 0xff);
                    reply.sense = java.util.Arrays.copyOfRange(p.data, 2, 2 + n);
                }
                break;
            } else if (p.opcode() == Pdu.NOP_IN || p.opcode() == Pdu.ASYNC_MESSAGE || p.opcode() == Pdu.R2T) {
                // not ours to look at here
            } else {
                throw new AssertionError("unexpected " + p);
            }
        }
        reply.data = data.toByteArray();
        return reply;
    }

    static final class Reply {
        final List<Pdu> pdus = new ArrayList<>();
        int status = -1;
        int residualFlags;
        int residual;
        byte[] sense;
        byte[] data;

        int senseKey() {
            return sense == null ? -1 : sense[2] & 0x0f;
        }

        int asc() {
            return sense == null ? -1 : sense[12] & 0xff;
        }
    }

    static byte[] read10(long lba, int blocks) {
        ByteBuffer b = ByteBuffer.allocate(10);
        b.put((byte) 0x28).put((byte) 0).putInt((int) lba).put((byte) 0).putShort((short) blocks).put((byte) 0);
        return b.array();
    }

    static byte[] write10(long lba, int blocks) {
        byte[] cdb = read10(lba, blocks);
        cdb[0] = 0x2a;
        return cdb;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }
}
