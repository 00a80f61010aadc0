package org.diskfarm.iscsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PduCodecTest {

    private static PduCodec codec(boolean header, boolean data) {
        PduCodec c = new PduCodec();
        c.headerDigest = header;
        c.dataDigest = data;
        c.maxRecvDataSegmentLength = 1 << 20;
        return c;
    }

    private static Pdu sample(int dataLength, int ahsWords) {
        Random r = new Random(dataLength * 31L + ahsWords);
        Pdu p = Pdu.of(Pdu.SCSI_COMMAND).flags(0xa1).itt(0x1234).u32(20, 4096).u32(24, 7);
        for (int i = 32; i < 48; i++) {
            p.bhs[i] = (byte) r.nextInt();
        }
        byte[] ahs = new byte[ahsWords * 4];
        r.nextBytes(ahs);
        p.ahs = ahs;
        byte[] data = new byte[dataLength];
        r.nextBytes(data);
        return p.data(data);
    }

    /** Splits the encoded bytes at every point into two deliveries; each must decode to the same PDU. */
    @Test
    void decodesAtEverySplitPointWithAndWithoutDigests() {
        for (boolean header : new boolean[] {false, true}) {
            for (boolean data : new boolean[] {false, true}) {
                for (int length : new int[] {0, 1, 2, 3, 4, 5, 7, 8, 13, 100}) {
                    for (int ahs : new int[] {0, 2}) {
                        PduCodec c = codec(header, data);
                        Pdu pdu = sample(length, ahs);
                        ByteBuffer wire = c.encode(pdu);
                        int expectedSize = 48 + ahs * 4 + (header ? 4 : 0) + length + Pdu.pad(length)
                                + (data && length > 0 ? 4 : 0);
                        assertThat(wire.remaining()).isEqualTo(expectedSize);
                        for (int split = 0; split <= wire.remaining(); split++) {
                            assertThat(feed(c, wire, split)).as("split %d of %d", split, wire.remaining())
                                    .containsExactly(pdu);
                        }
                    }
                }
            }
        }
    }

    @Test
    void decodesOneByteAtATimeTwoPdusInARow() {
        PduCodec c = codec(true, true);
        Pdu a = sample(5, 0);
        Pdu b = sample(4096, 1);
        ByteBuffer wire = concat(c.encode(a), c.encode(b));
        List<Pdu> out = new ArrayList<>();
        ByteBuffer acc = ByteBuffer.allocate(wire.remaining());
        for (int i = 0; i < wire.limit(); i++) {
            acc.put(wire.get(i));
            acc.flip();
            Pdu p;
            while ((p = c.decode(acc)) != null) {
                out.add(p);
            }
            acc.compact();
        }
        assertThat(out).containsExactly(a, b);
    }

    @Test
    void padsTheDataSegmentWithZeros() {
        PduCodec c = codec(false, false);
        ByteBuffer wire = c.encode(Pdu.of(Pdu.NOP_IN).data(new byte[] {1, 2, 3, 4, 5}));
        assertThat(wire.remaining()).isEqualTo(48 + 8);
        assertThat(wire.get(48 + 5)).isZero();
        assertThat(wire.get(48 + 7)).isZero();
        assertThat(Pdu.u24(wire.array(), 5)).isEqualTo(5);
    }

    @Test
    void headerDigestIsCrc32cOfTheHeaderLittleEndian() {
        PduCodec c = codec(true, false);
        Pdu p = Pdu.of(Pdu.NOP_OUT).itt(1);
        ByteBuffer wire = c.encode(p);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(p.bhs);
        long v = crc.getValue();
        assertThat(wire.get(48) & 0xff).isEqualTo((int) (v & 0xff));
        assertThat(wire.get(51) & 0xff).isEqualTo((int) (v >>> 24));
    }

    @Test
    void badHeaderDigestEndsTheStream() {
        PduCodec c = codec(true, false);
        ByteBuffer wire = c.encode(sample(0, 0));
        wire.put(3, (byte) (wire.get(3) ^ 1));
        assertThatThrownBy(() -> c.decode(wire)).isInstanceOf(IscsiProtocolException.class)
                .hasMessageContaining("header digest");
    }

    @Test
    void badDataDigestIsReportedOnThePdu() {
        PduCodec c = codec(false, true);
        ByteBuffer wire = c.encode(sample(10, 0));
        wire.put(50, (byte) (wire.get(50) ^ 0x40));
        Pdu p = c.decode(wire);
        assertThat(p.dataDigestError).isTrue();
        assertThat(wire.hasRemaining()).isFalse();
    }

    @Test
    void dataSegmentBeyondMaxRecvDataSegmentLengthIsRefusedFromTheHeaderAlone() {
        PduCodec c = codec(false, false);
        c.maxRecvDataSegmentLength = 8192;
        ByteBuffer wire = c.encode(sample(8193, 0));
        ByteBuffer headerOnly = wire.slice(0, 48);
        assertThatThrownBy(() -> c.decode(headerOnly)).isInstanceOf(IscsiProtocolException.class)
                .hasMessageContaining("MaxRecvDataSegmentLength");
        assertThat(c.decode(codec(false, false).encode(sample(8192, 0)))).isNotNull();
    }

    @Test
    void textKeysRoundTrip() {
        byte[] text = RawInitiator.text("InitiatorName=iqn.x", "HeaderDigest=CRC32C,None", "Empty=");
        assertThat(TextKeys.parse(text)).extracting(e -> e.getKey() + "=" + e.getValue())
                .containsExactly("InitiatorName=iqn.x", "HeaderDigest=CRC32C,None", "Empty=");
        assertThatThrownBy(() -> TextKeys.parse("novalue\0".getBytes())).isInstanceOf(IscsiProtocolException.class);
        assertThat(TextKeys.parse("A=1\0\0\0".getBytes())).hasSize(1);
    }

    private static List<Pdu> feed(PduCodec c, ByteBuffer wire, int split) {
        List<Pdu> out = new ArrayList<>();
        ByteBuffer acc = ByteBuffer.allocate(wire.remaining());
        acc.put(wire.slice(0, split)).flip();
        int before = acc.position();
        Pdu p = c.decode(acc);
        if (p == null) {
            assertThat(acc.position()).isEqualTo(before);
        } else {
            out.add(p);
        }
        acc.compact();
        acc.put(wire.slice(split, wire.remaining() - split)).flip();
        while ((p = c.decode(acc)) != null) {
            out.add(p);
        }
        assertThat(acc.hasRemaining()).as("bytes left over").isFalse();
        return out;
    }

    static ByteBuffer concat(ByteBuffer... parts) {
        int n = 0;
        for (ByteBuffer b : parts) {
            n += b.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(n);
        for (ByteBuffer b : parts) {
            all.put(b.duplicate());
        }
        return all.flip();
    }
}
