package org.diskfarm.iscsi;

import java.nio.ByteBuffer;
import org.diskfarm.iscsi.scsi.ScsiResponse;

/**
 * The answer to a task that has run (RFC 7143 sections 11.4 and 11.7): its Data-In cut to the initiator's
 * MaxRecvDataSegmentLength and to bursts of MaxBurstLength, the status in the last Data-In PDU when there is no
 * sense data, else a SCSI Response; both with the residual count of an overflow or underflow.
 */
final class DataInSender {
    private final IscsiSession session;

    DataInSender(IscsiSession session) {
        this.session = session;
    }

    void respond(IscsiTask t, ScsiResponse r) {
        SessionParams params = session.params;
        IscsiConnection connection = session.connection();
        ByteBuffer data = r.dataIn() == null ? ByteBuffer.allocate(0) : r.dataIn().duplicate();
        long full = data.remaining();
        long readExpected = t.read ? t.edtl : 0;
        int residualFlags = 0;
        long residual = 0;
        if (t.write || t.dataOutLength > 0) {
            long accepted = t.write ? t.edtl : 0;
            if (t.dataOutLength > accepted) {
                residualFlags = 0x04;
                residual = t.dataOutLength - accepted;
            } else if (t.dataOutLength < accepted) {
                residualFlags = 0x02;
                residual = accepted - t.dataOutLength;
            }
        } else if (full > readExpected) {
            residualFlags = 0x04;
            residual = full - readExpected;
        } else if (full < readExpected) {
            residualFlags = 0x02;
            residual = readExpected - full;
        }
        residual = Math.min(residual, 0xffffffffL);
        int send = (int) Math.min(full, readExpected);
        data.limit(data.position() + send);
        boolean statusInData = r.sense() == null && send > 0;
        int dataSN = 0;
        int offset = 0;
        int burstLeft = params.maxBurstLength;
        while (offset < send) {
            int n = Math.min(Math.min(params.initiatorMaxRecv, burstLeft), send - offset);
            boolean last = offset + n == send;
            burstLeft -= n;
            boolean endOfBurst = last || burstLeft == 0;
            if (burstLeft == 0) {
                burstLeft = params.maxBurstLength;
            }
            Pdu in = Pdu.of(Pdu.DATA_IN).lun(t.lun).itt(t.itt).u32(20, Pdu.RESERVED_TAG).u32(36, dataSN++)
                    .u32(40, offset);
            int flags = endOfBurst ? 0x80 : 0;
            if (last && statusInData) {
                flags |= 0x01 | residualFlags;
                in.u8(3, r.status()).u32(44, (int) residual);
            }
            in.flags(flags);
            ByteBuffer slice = data.slice(data.position() + offset, n);
            // The data's buffer goes back once the last PDU that carries it is written (writes complete in order).
            connection.send(in, slice, last && statusInData, last ? r::release : null);
            offset += n;
        }
        if (statusInData) {
            return;
        }
        if (send == 0) {
            r.release(); // no Data-In went out (nothing asked for, or sense instead): nothing holds the buffer
        }
        Pdu response = Pdu.of(Pdu.SCSI_RESPONSE).flags(0x80 | residualFlags).u8(2, 0).u8(3, r.status())
                .itt(t.itt).u32(36, t.write ? t.r2tSN : dataSN).u32(44, (int) residual);
        ByteBuffer sense = null;
        if (r.sense() != null) {
            byte[] s = r.sense();
            sense = ByteBuffer.allocate(2 + s.length).putShort((short) s.length).put(s).flip();
        }
        connection.send(response, sense, true);
    }
}
