package org.diskfarm.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Seeded, bounded fuzzing of the PDU decoder and of login negotiation: no crash, only the errors they document. */
class FuzzTest {
    private static final int CASES = 3000;

    @Test
    void decoderTakesAnyBytes() {
        for (int seed = 0; seed < CASES; seed++) {
            Random r = new Random(seed);
            PduCodec c = new PduCodec();
            c.headerDigest = r.nextBoolean();
            c.dataDigest = r.nextBoolean();
            c.maxRecvDataSegmentLength = 512 + r.nextInt(8192);
            ByteBuffer wire;
            if (r.nextBoolean()) {
                byte[] b = new byte[r.nextInt(400)];
                r.nextBytes(b);
                wire = ByteBuffer.wrap(b);
            } else {
                Pdu p = Pdu.of(r.nextInt(64)).data(new byte[r.nextInt(600)]);
                wire = c.encode(p);
                for (int i = 0; i < 1 + r.nextInt(4); i++) {
                    int at = r.nextInt(wire.remaining());
                    wire.put(at, (byte) r.nextInt());
                }
            }
            try {
                int guard = 0;
                while (c.decode(wire) != null && guard++ < 100) {
                    // as many as there are
                }
            } catch (IscsiProtocolException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void loginNegotiationTakesAnyRequests() {
        String[] keys = {"InitiatorName=iqn.x:a", "TargetName=" + TestTargets.DISK, "TargetName=" + TestTargets.SECRET,
            "SessionType=Discovery", "SessionType=Bogus", "AuthMethod=CHAP,None", "AuthMethod=None", "CHAP_A=5",
            "CHAP_N=alice", "CHAP_R=0x00", "CHAP_R=0b!!", "CHAP_I=300", "CHAP_C=0xzz", "HeaderDigest=CRC32C",
            "MaxRecvDataSegmentLength=0", "MaxBurstLength=99999999999", "FirstBurstLength=0x200", "InitialR2T=No",
            "=novalue", "x", "ErrorRecoveryLevel=-1", "SendTargets=All", "MaxConnections="};
        for (int seed = 0; seed < CASES; seed++) {
            Random r = new Random(seed);
            LoginNegotiation login = new LoginNegotiation(TestTargets.standard(), r);
            for (int step = 0; step < 1 + r.nextInt(6); step++) {
                Pdu p = Pdu.of(r.nextInt(8) == 0 ? r.nextInt(64) : Pdu.LOGIN_REQUEST).flags(r.nextInt(256));
                if (r.nextInt(4) == 0) {
                    r.nextBytes(p.bhs);
                }
                StringBuilder text = new StringBuilder();
                for (int k = 0; k < r.nextInt(5); k++) {
                    text.append(keys[r.nextInt(keys.length)]).append('\0');
                }
                p.data(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                LoginNegotiation.Step s = login.step(p);
                assertThat(s.response().opcode()).isEqualTo(Pdu.LOGIN_RESPONSE);
                if (s.outcome() == LoginNegotiation.Outcome.FAILED) {
                    assertThat(LoginNegotiation.status(s.response())).isNotZero();
                    assertThat(s.reason()).isNotBlank();
                    break;
                }
                if (s.outcome() == LoginNegotiation.Outcome.FULL_FEATURE) {
                    break;
                }
            }
        }
    }
}
