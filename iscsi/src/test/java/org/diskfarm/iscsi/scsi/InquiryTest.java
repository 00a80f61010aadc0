package org.diskfarm.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.iscsi.scsi.Scsi.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.diskfarm.block.MemoryDevice;
import org.junit.jupiter.api.Test;

class InquiryTest {
    private final ScsiDisk thin = new ScsiLogicalUnit(IDENTITY).attach(new ThinDevice(1 << 20), NEXUS_A);
    private final ScsiDisk full = new ScsiLogicalUnit(IDENTITY).attach(MemoryDevice.of(1 << 20), NEXUS_A);

    @Test
    void standardData() {
        byte[] d = bytes(good(thin.execute(inquiry(false, 0, 260), null)));
        assertThat(d).hasSize(96);
        assertThat(d[0]).as("qualifier and device type").isEqualTo((byte) 0);
        assertThat(d[1]).as("RMB").isEqualTo((byte) 0);
        assertThat(d[2]).as("SPC-4").isEqualTo((byte) 6);
        assertThat(d[3] & 0x0f).as("response data format").isEqualTo(2);
        assertThat(d[4] & 0xff).as("additional length").isEqualTo(91);
        assertThat(d[7] & 0x02).as("CMDQUE").isEqualTo(2);
        assertThat(new String(d, 8, 28, StandardCharsets.US_ASCII)).isEqualTo("DISKFARMvDisk           0001");
        ByteBuffer versions = ByteBuffer.wrap(d, 58, 8);
        assertThat(new int[] {versions.getShort(), versions.getShort(), versions.getShort(), versions.getShort()})
                .containsExactly(0x00a0, 0x0960, 0x0460, 0x04c0);
    }

    @Test
    void allocationLengthCutsTheData() {
        for (int allocation = 0; allocation < 100; allocation++) {
            ScsiResponse r = good(thin.execute(inquiry(false, 0, allocation), null));
            assertThat(r.dataInLength()).isEqualTo(Math.min(96, allocation));
        }
        assertThat(good(thin.execute(inquiry(true, 0x83, 6), null)).dataInLength()).isEqualTo(6);
    }

    @Test
    void pageCodeWithoutEvpdAndUnknownPagesAreInvalid() {
        byte[] sense = check(thin.execute(inquiry(false, 1, 256), null), Sense.ILLEGAL_REQUEST, 0x2400);
        assertThat(sense[17]).as("field pointer").isEqualTo((byte) 2);
        check(thin.execute(inquiry(true, 0x87, 256), null), Sense.ILLEGAL_REQUEST, 0x2400);
        check(thin.execute(cdb(0x12, 0x02, 0, 0, 255, 0), null), Sense.ILLEGAL_REQUEST, 0x2400);
    }

    @Test
    void supportedPagesAreSortedAndAllAnswer() {
        byte[] d = bytes(good(thin.execute(inquiry(true, 0, 255), null)));
        assertThat(d[3]).isEqualTo((byte) 6);
        byte[] pages = java.util.Arrays.copyOfRange(d, 4, d.length);
        assertThat(pages).containsExactly(0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2);
        for (byte page : pages) {
            byte[] p = bytes(good(thin.execute(inquiry(true, page & 0xff, 255), null)));
            assertThat(p[1]).isEqualTo(page);
            assertThat(p.length).isEqualTo(4 + ByteBuffer.wrap(p).getShort(2));
        }
    }

    @Test
    void serialAndDeviceIdentification() {
        byte[] serial = bytes(good(thin.execute(inquiry(true, 0x80, 255), null)));
        assertThat(new String(serial, 4, serial.length - 4, StandardCharsets.US_ASCII))
                .isEqualTo(IDENTITY.serialNumber());
        byte[] id = bytes(good(thin.execute(inquiry(true, 0x83, 255), null)));
        assertThat(id[4]).as("binary code set").isEqualTo((byte) 1);
        assertThat(id[5]).as("LU association, NAA").isEqualTo((byte) 3);
        assertThat(id[7]).isEqualTo((byte) 8);
        assertThat(ByteBuffer.wrap(id, 8, 8).getLong()).isEqualTo(IDENTITY.naa());
        assertThat(id[16]).as("ASCII code set").isEqualTo((byte) 2);
        assertThat(id[17]).as("T10 vendor id").isEqualTo((byte) 1);
        assertThat(new String(id, 20, id[19], StandardCharsets.US_ASCII))
                .isEqualTo("DISKFARM" + IDENTITY.serialNumber());
    }

    @Test
    void blockLimits() {
        ByteBuffer b = ByteBuffer.wrap(bytes(good(thin.execute(inquiry(true, 0xb0, 255), null))));
        assertThat(b.getShort(2)).isEqualTo((short) 0x3c);
        assertThat(b.get(4)).as("WSNZ").isEqualTo((byte) 0);
        assertThat(b.get(5) & 0xff).as("MAXIMUM COMPARE AND WRITE LENGTH").isEqualTo(255);
        assertThat(b.getInt(8)).as("MAXIMUM TRANSFER LENGTH").isEqualTo(65536);
        assertThat(b.getInt(20)).as("MAXIMUM UNMAP LBA COUNT").isEqualTo(-1);
        assertThat(b.getInt(24)).as("MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT").isEqualTo(4095);
        assertThat(b.getLong(36)).as("MAXIMUM WRITE SAME LENGTH").isEqualTo(1L << 21);
        ByteBuffer f = ByteBuffer.wrap(bytes(good(full.execute(inquiry(true, 0xb0, 255), null))));
        assertThat(f.getInt(20)).isZero();
        assertThat(f.getInt(24)).isZero();
    }

    @Test
    void characteristicsAndProvisioning() {
        byte[] bdc = bytes(good(thin.execute(inquiry(true, 0xb1, 255), null)));
        assertThat(ByteBuffer.wrap(bdc).getShort(4)).as("non-rotating").isEqualTo((short) 1);
        byte[] lbp = bytes(good(thin.execute(inquiry(true, 0xb2, 255), null)));
        assertThat(lbp[3]).isEqualTo((byte) 4);
        assertThat(lbp[5] & 0xff).as("LBPU LBPWS LBPWS10 LBPRZ, no ANC_SUP").isEqualTo(0xe4);
        assertThat(lbp[6] & 0x07).as("thin").isEqualTo(2);
        byte[] none = bytes(good(full.execute(inquiry(true, 0xb2, 255), null)));
        assertThat(none[5]).isZero();
    }

    @Test
    void identityIsDerivedDeterministically() {
        UUID id = UUID.fromString("0b8e1c42-7d1f-4f4a-9c55-6b2f0d3e8a11");
        ScsiIdentity a = ScsiIdentity.derive(id, 7, "win11");
        assertThat(ScsiIdentity.derive(id, 7, "renamed")).isEqualTo(a);
        assertThat(ScsiIdentity.derive(id, 8, "win11").naa()).isNotEqualTo(a.naa());
        assertThat(ScsiIdentity.derive(id, 8, "win11").serialNumber()).isNotEqualTo(a.serialNumber());
        assertThat(a.naa() >>> 60).isEqualTo(3);
        assertThat(a.serialNumber()).matches("[0-9A-F]{20}");
        assertThat(a.vendor()).isEqualTo("DISKFARM");
        assertThat(a.product()).isEqualTo("vDisk");
        assertThat(a.revision()).isEqualTo("0001");
        // Pinned: the same inputs give the same identity on every server and in every release.
        assertThat(a.serialNumber()).isEqualTo("0376E715736720F6733C");
        assertThat(Long.toHexString(a.naa())).isEqualTo("348e2cd6704ffdd4");
    }
}
