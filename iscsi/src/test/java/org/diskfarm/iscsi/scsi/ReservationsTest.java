package org.diskfarm.iscsi.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.iscsi.scsi.Scsi.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReservationsTest {
    private static final long KEY_A = 0x1111;
    private static final long KEY_B = 0x2222;

    private final ThinDevice device = new ThinDevice(1 << 20);
    private final ScsiLogicalUnit unit = new ScsiLogicalUnit(IDENTITY);
    private final ScsiDisk a = unit.attach(device, NEXUS_A);
    private final ScsiDisk b = unit.attach(device, NEXUS_B);

    private static final byte[] RESERVE6 = cdb(0x16, 0, 0, 0, 0, 0);
    private static final byte[] RELEASE6 = cdb(0x17, 0, 0, 0, 0, 0);
    private static final byte[] MODE_SENSE = cdb(0x1a, 0, 0x3f, 0, 255, 0);

    @Test
    void reserve6BetweenTwoNexuses() {
        good(a.execute(RESERVE6, null));
        good(a.execute(RESERVE6, null));
        conflict(b.execute(RESERVE6, null));
        good(b.execute(RELEASE6, null)); // releasing what one does not hold does nothing
        good(a.execute(MODE_SENSE, null));
        conflict(b.execute(MODE_SENSE, null));
        conflict(b.execute(read10(0, 1), null));
        good(b.execute(inquiry(false, 0, 96), null));
        good(b.execute(cdb(0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), null));
        good(a.execute(RELEASE6, null));
        good(b.execute(cdb(0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0), null)); // RESERVE(10)
        conflict(a.execute(write10(0, 1), filled(512, 0)));
        good(b.execute(cdb(0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0), null));
        good(a.execute(write10(0, 1), filled(512, 0)));
    }

    @Test
    void registrationsMakeReserve6Conflict() {
        good(a.execute(prOut(6, 0), prOutParameters(0, KEY_A)));
        conflict(b.execute(RESERVE6, null));
        conflict(a.execute(RESERVE6, null));
        conflict(b.execute(RELEASE6, null));
        good(a.execute(prOut(6, 0), prOutParameters(0, 0)));
        good(b.execute(RESERVE6, null));
        conflict(a.execute(prOut(6, 0), prOutParameters(0, KEY_A))); // PR OUT conflicts with b's RESERVE(6)
        good(b.execute(RELEASE6, null));
    }

    @Test
    void nexusLossReleasesReserve6() {
        good(a.execute(RESERVE6, null));
        ScsiDisk again = unit.attach(device, NEXUS_A); // a second session of the same nexus keeps it
        a.detach();
        conflict(b.execute(RESERVE6, null));
        again.detach();
        again.detach();
        good(b.execute(RESERVE6, null));
    }

    @Test
    void resetReleasesReserve6AndRaisesUnitAttentionForEveryNexus() {
        good(a.execute(RESERVE6, null));
        unit.reset(NEXUS_A);
        assertThat(unit.isReserved()).isFalse();
        check(a.execute(tur(), null), Sense.UNIT_ATTENTION, 0x2900); // the resetting nexus too (SAM-5)
        good(a.execute(tur(), null));
        good(b.execute(inquiry(false, 0, 96), null)); // INQUIRY neither reports nor clears it
        check(b.execute(read10(0, 1), null), Sense.UNIT_ATTENTION, 0x2900);
        good(b.execute(tur(), null));
        unit.reset(NEXUS_A);
        byte[] sense = bytes(good(b.execute(cdb(0x03, 0, 0, 0, 252, 0), null)));
        assertThat(Sense.key(sense)).isEqualTo(Sense.UNIT_ATTENTION);
        assertThat(Sense.ascq(sense)).isEqualTo(0x2900);
        byte[] none = bytes(good(b.execute(cdb(0x03, 0, 0, 0, 252, 0), null)));
        assertThat(Sense.key(none)).isEqualTo(Sense.NO_SENSE);
        good(b.execute(RESERVE6, null));
    }

    @Test
    void registerReadKeysAndUnregister() {
        good(a.execute(prOut(6, 0), prOutParameters(0, KEY_A)));          // REGISTER AND IGNORE EXISTING KEY
        ByteBuffer keys = ByteBuffer.wrap(bytes(good(a.execute(prIn(0), null))));
        int generation = keys.getInt(0);
        assertThat(keys.getInt(4)).isEqualTo(8);
        assertThat(keys.getLong(8)).isEqualTo(KEY_A);
        conflict(a.execute(prOut(0, 0), prOutParameters(0, KEY_A + 1)));  // REGISTER with the wrong key
        good(a.execute(prOut(0, 0), prOutParameters(KEY_A, 0)));          // unregister
        keys = ByteBuffer.wrap(bytes(good(a.execute(prIn(0), null))));
        assertThat(keys.getInt(4)).isZero();
        assertThat(keys.getInt(0)).isEqualTo(generation + 1);
        good(a.execute(prOut(6, 0), prOutParameters(0, KEY_A)));
        byte[] cut = bytes(good(a.execute(cdb(0x5e, 0, 0, 0, 0, 0, 0, 0, 8, 0), null)));
        assertThat(cut).hasSize(8);
        assertThat(ByteBuffer.wrap(cut).getInt(4)).as("additional length stays whole").isEqualTo(8);
    }

    @Test
    void persistentReservationAccessByType() {
        // type, registered B can read, can write, unregistered B can read, can write (SPC-4 5.12.3)
        int[][] matrix = {
            {Reservations.EXCLUSIVE_ACCESS, 0, 0, 0, 0},
            {Reservations.WRITE_EXCLUSIVE, 1, 0, 1, 0},
            {Reservations.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, 1, 1, 0, 0},
            {Reservations.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, 1, 1, 1, 0},
            {Reservations.EXCLUSIVE_ACCESS_ALL_REGISTRANTS, 1, 1, 0, 0},
            {Reservations.WRITE_EXCLUSIVE_ALL_REGISTRANTS, 1, 1, 1, 0},
        };
        for (int[] row : matrix) {
            int type = row[0];
            good(a.execute(prOut(6, 0), prOutParameters(0, KEY_A)));
            good(b.execute(prOut(6, 0), prOutParameters(0, KEY_B)));
            good(a.execute(prOut(1, type), prOutParameters(KEY_A, 0)));
            ByteBuffer r = ByteBuffer.wrap(bytes(good(a.execute(prIn(1), null))));
            assertThat(r.getInt(4)).isEqualTo(16);
            assertThat(r.getLong(8)).isEqualTo(type >= 7 ? 0 : KEY_A);
            assertThat(r.get(21)).isEqualTo((byte) type);
            good(a.execute(read10(0, 1), null));
            good(a.execute(write10(0, 1), filled(512, 0)));
            access(row[1], b.execute(read10(0, 1), null));
            access(row[2], b.execute(write10(0, 1), filled(512, 0)));
            good(b.execute(prOut(0, 0), prOutParameters(KEY_B, 0)));
            access(row[3], b.execute(read10(0, 1), null));
            access(row[4], b.execute(write10(0, 1), filled(512, 0)));
            good(b.execute(tur(), null));
            good(b.execute(cdb10(0x25, 0, 0, 0), null));
            good(a.execute(prOut(2, type), prOutParameters(KEY_A, 0)));
            good(a.execute(prOut(0, 0), prOutParameters(KEY_A, 0)));
            assertThat(unit.isReserved()).isFalse();
            clearAttentions(a);
            clearAttentions(b);
        }
    }

    private static void clearAttentions(ScsiDisk disk) {
        for (int i = 0; i < 10 && disk.execute(tur(), null).status() != ScsiStatus.GOOD; i++) {
            // each TUR reports (and clears) one pending unit attention
        }
    }

    private static void access(int allowed, ScsiResponse r) {
        if (allowed == 1) {
            good(r);
        } else {
            conflict(r);
        }
    }

    @Test
    void holderUnregisteringEndsAllButAllRegistrantsReservations() {
        good(a.execute(prOut(6, 0), prOutParameters(0, KEY_A)));
        good(b.execute(prOut(6, 0), prOutParameters(0, KEY_B)));
        good(a.execute(prOut(1, Reservations.WRITE_EXCLUSIVE_ALL_REGISTRANTS), prOutParameters(KEY_A, 0)));
        good(a.execute(prOut(0, 0), prOutParameters(KEY_A, 0)));
        assertThat(unit.isReserved()).isTrue();
        good(b.execute(prOut(2, Reservations.WRITE_EXCLUSIVE_ALL_REGISTRANTS), prOutParameters(KEY_B, 0)));
        assertThat(unit.isReserved()).isFalse();

        good(a.execute(prOut(6, 0), prOutParameters(0, KEY_A)));
        good(a.execute(prOut(1, Reservations.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY), prOutParameters(KEY_A, 0)));
        good(a.execute(prOut(0, 0), prOutParameters(KEY_A, 0)));
        assertThat(unit.isReserved()).isFalse();
        check(b.execute(tur(), null), Sense.UNIT_ATTENTION, 0x2a04); // RESERVATIONS RELEASED
    }

    @Test
    void releaseWithTheWrongTypeAndReserveConflicts() {
        good(a.execute(prOut(6, 0), prOutParameters(0, KEY_A)));
        good(b.execute(prOut(6, 0), prOutParameters(0, KEY_B)));
        good(a.execute(prOut(1, Reservations.WRITE_EXCLUSIVE), prOutParameters(KEY_A, 0)));
        good(a.execute(prOut(1, Reservations.WRITE_EXCLUSIVE), prOutParameters(KEY_A, 0)));
        conflict(a.execute(prOut(1, Reservations.EXCLUSIVE_ACCESS), prOutParameters(KEY_A, 0)));
        conflict(b.execute(prOut(1, Reservations.WRITE_EXCLUSIVE), prOutParameters(KEY_B, 0)));
        conflict(a.execute(prOut(1, Reservations.WRITE_EXCLUSIVE), prOutParameters(KEY_B, 0)));
        check(a.execute(prOut(2, Reservations.EXCLUSIVE_ACCESS), prOutParameters(KEY_A, 0)),
                Sense.ILLEGAL_REQUEST, 0x2604);
        good(b.execute(prOut(2, Reservations.WRITE_EXCLUSIVE), prOutParameters(KEY_B, 0))); // not the holder
        assertThat(unit.isReserved()).isTrue();
        conflict(b.execute(RESERVE6, null));
        check(a.execute(prOut(1, 2), prOutParameters(KEY_A, 0)), Sense.ILLEGAL_REQUEST, 0x2400);
        check(a.execute(prOut(1, 0x11), prOutParameters(KEY_A, 0)), Sense.ILLEGAL_REQUEST, 0x2400);
    }

    @Test
    void clearRemovesEverything() {
        good(a.execute(prOut(6, 0), prOutParameters(0, KEY_A)));
        good(b.execute(prOut(6, 0), prOutParameters(0, KEY_B)));
        good(a.execute(prOut(1, Reservations.EXCLUSIVE_ACCESS), prOutParameters(KEY_A, 0)));
        int generation = ByteBuffer.wrap(bytes(good(a.execute(prIn(0), null)))).getInt(0);
        good(a.execute(prOut(3, 0), prOutParameters(KEY_A, 0)));
        ByteBuffer keys = ByteBuffer.wrap(bytes(good(a.execute(prIn(0), null))));
        assertThat(keys.getInt(4)).isZero();
        assertThat(keys.getInt(0)).isEqualTo(generation + 1);
        assertThat(unit.isReserved()).isFalse();
        check(b.execute(tur(), null), Sense.UNIT_ATTENTION, 0x2a03);
    }

    @Test
    void preemptRemovesTheOtherRegistration() {
        good(a.execute(prOut(6, 0), prOutParameters(0, KEY_A)));
        good(b.execute(prOut(6, 0), prOutParameters(0, KEY_B)));
        int generation = ByteBuffer.wrap(bytes(good(a.execute(prIn(0), null)))).getInt(0);
        good(b.execute(prOut(4, Reservations.EXCLUSIVE_ACCESS), prOutParameters(KEY_B, KEY_A)));
        check(a.execute(tur(), null), Sense.UNIT_ATTENTION, 0x2a05);
        ByteBuffer keys = ByteBuffer.wrap(bytes(good(a.execute(prIn(0), null))));
        assertThat(keys.getInt(4)).isEqualTo(8);
        assertThat(keys.getLong(8)).isEqualTo(KEY_B);
        assertThat(keys.getInt(0)).isEqualTo(generation + 1);
        conflict(b.execute(prOut(4, Reservations.EXCLUSIVE_ACCESS), prOutParameters(KEY_B, 0x9999)));

        // Preempting the holder's key takes the reservation over.
        good(a.execute(prOut(6, 0), prOutParameters(0, KEY_A)));
        good(a.execute(prOut(1, Reservations.EXCLUSIVE_ACCESS), prOutParameters(KEY_A, 0)));
        conflict(b.execute(read10(0, 1), null));
        good(b.execute(prOut(5, Reservations.WRITE_EXCLUSIVE), prOutParameters(KEY_B, KEY_A)));
        good(b.execute(write10(0, 1), filled(512, 0)));
        ByteBuffer r = ByteBuffer.wrap(bytes(good(b.execute(prIn(1), null))));
        assertThat(r.getLong(8)).isEqualTo(KEY_B);
        assertThat(r.get(21)).isEqualTo((byte) Reservations.WRITE_EXCLUSIVE);
    }

    @Test
    void reportCapabilitiesAndFullStatus() {
        byte[] caps = bytes(good(a.execute(prIn(2), null)));
        assertThat(ByteBuffer.wrap(caps).getShort(0)).isEqualTo((short) 8);
        assertThat(caps[3] & 0x80).as("TMV").isEqualTo(0x80);
        assertThat(caps[4] & 0xff).isEqualTo(0xea);
        assertThat(caps[5]).isEqualTo((byte) 1);
        good(a.execute(prOut(6, 0), prOutParameters(0, KEY_A)));
        good(a.execute(prOut(1, Reservations.WRITE_EXCLUSIVE), prOutParameters(KEY_A, 0)));
        ByteBuffer full = ByteBuffer.wrap(bytes(good(a.execute(prIn(3), null))));
        assertThat(full.getLong(8)).isEqualTo(KEY_A);
        assertThat(full.get(20) & 0x01).as("R_HOLDER").isEqualTo(1);
        assertThat(full.get(21)).isEqualTo((byte) Reservations.WRITE_EXCLUSIVE);
        int idLength = full.getInt(8 + 20);
        assertThat(idLength % 4).isZero();
        assertThat(full.get(8 + 24)).as("iSCSI, format 01b").isEqualTo((byte) 0x45);
        String name = new String(full.array(), 8 + 28, idLength - 4, StandardCharsets.UTF_8);
        assertThat(name).startsWith(NEXUS_A.initiatorPort() + "\0");
        assertThat(full.getInt(4)).isEqualTo(24 + idLength);
        for (int action = 4; action < 0x20; action++) {
            check(a.execute(prIn(action), null), Sense.ILLEGAL_REQUEST, 0x2400);
        }
    }

    @Test
    void parameterListChecks() {
        check(a.execute(cdb(0x5f, 6, 0, 0, 0, 0, 0, 0, 20, 0), ByteBuffer.allocate(20)), Sense.ILLEGAL_REQUEST,
                0x1a00);
        ByteBuffer aptpl = prOutParameters(0, KEY_A);
        aptpl.put(20, (byte) 1);
        check(a.execute(prOut(6, 0), aptpl), Sense.ILLEGAL_REQUEST, 0x2600);
        check(a.execute(prOut(7, 0), prOutParameters(0, KEY_A)), Sense.ILLEGAL_REQUEST, 0x2400);
        check(a.execute(prOut(6, 0), null), Sense.ILLEGAL_REQUEST, 0x0e03);
        int generation = ByteBuffer.wrap(bytes(good(a.execute(prIn(0), null)))).getInt(0);
        good(a.execute(prOut(0, 0), prOutParameters(0, 0))); // registering key 0 while unregistered does nothing
        assertThat(ByteBuffer.wrap(bytes(good(a.execute(prIn(0), null)))).getInt(0)).isEqualTo(generation);
        conflict(a.execute(prOut(1, Reservations.WRITE_EXCLUSIVE), prOutParameters(KEY_A, 0)));
    }
}
