package org.diskfarm.boot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.BAD_HEADER;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.BAD_OPTION_VALUE;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.BAD_OVERLOAD;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.MISSING_END;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.NO_MAGIC_COOKIE;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.OPTION_OVERRUN;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.OVERSIZED;
import static org.diskfarm.boot.dhcp.DhcpFormatException.Kind.TRUNCATED;
import static org.diskfarm.boot.dhcp.PxePackets.IPXE_DISCOVER;
import static org.diskfarm.boot.dhcp.PxePackets.PXE_ROM_DISCOVER;
import static org.diskfarm.boot.dhcp.PxePackets.ascii;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Strict decoding: every way a datagram can be cut short, run over, loop or lie fails with a
 * {@link DhcpFormatException} of the right kind and a one-line message, and nothing else escapes.
 */
class DhcpPacketMalformedTest {
    /** Where the PXE ROM golden's END option is: its content is 347 bytes, the rest padding. */
    private static final int PXE_ROM_CONTENT = 347;

    /** A request with the given sname, file and options fields (hex; fields zero-padded, options as given). */
    private static byte[] raw(String sname, String file, String options) {
        byte[] s = HexFormat.of().parseHex(sname.replace(" ", ""));
        byte[] f = HexFormat.of().parseHex(file.replace(" ", ""));
        return PxePackets.pad(0, "01 01 06 00 a1b2c3d4 0000 0000", PxePackets.zeros(16), "525400123456",
                PxePackets.zeros(10), HexFormat.of().formatHex(Arrays.copyOf(s, 64)),
                HexFormat.of().formatHex(Arrays.copyOf(f, 128)), "63825363", options);
    }

    private static byte[] raw(String options) {
        return raw("", "", options);
    }

    private static DhcpFormatException fault(byte[] datagram) {
        return catchThrowableOfType(DhcpFormatException.class, () -> DhcpPacket.decode(datagram));
    }

    @Test
    void everyTruncationOfAPxeRomDiscoverFailsCleanlyOrDecodesTheSame() {
        DhcpPacket whole = DhcpPacket.decode(PXE_ROM_DISCOVER);
        for (int n = 0; n <= PXE_ROM_DISCOVER.length; n++) {
            byte[] cut = Arrays.copyOf(PXE_ROM_DISCOVER, n);
            if (n < DhcpPacket.MIN_SIZE) {
                assertThat(fault(cut).kind()).as("cut at %d", n).isEqualTo(TRUNCATED);
            } else if (n < PXE_ROM_CONTENT) {
                assertThat(fault(cut).kind()).as("cut at %d", n).isIn(OPTION_OVERRUN, MISSING_END);
            } else {
                assertThat(DhcpPacket.decode(cut)).as("cut at %d", n).isEqualTo(whole);
            }
        }
    }

    @Test
    void everyTruncationOfAnIpxeDiscoverFailsCleanly() {
        for (int n = 0; n < IPXE_DISCOVER.length; n++) {
            DhcpFormatException e = fault(Arrays.copyOf(IPXE_DISCOVER, n));
            assertThat(e).as("cut at %d", n).isNotNull();
            assertThat(e.getMessage()).doesNotContain("\n").isNotBlank();
        }
    }

    @Test
    void truncatedHeaderSaysHowShort() {
        assertThat(fault(new byte[100])).hasMessage(
                "datagram of 100 bytes, shorter than the 240 bytes of BOOTP header and magic cookie");
    }

    @Test
    void datagramOverTheLimitIsOversized() {
        byte[] big = Arrays.copyOf(PXE_ROM_DISCOVER, DhcpPacket.MAX_SIZE + 1);

        assertThat(fault(big).kind()).isEqualTo(OVERSIZED);
        assertThat(DhcpPacket.decode(Arrays.copyOf(PXE_ROM_DISCOVER, DhcpPacket.MAX_SIZE)))
                .isEqualTo(DhcpPacket.decode(PXE_ROM_DISCOVER));
    }

    @Test
    void wrongMagicCookieIsNamed() {
        byte[] bootp = PXE_ROM_DISCOVER.clone();
        bootp[236] = 0;

        assertThat(fault(bootp)).hasMessage("bytes 236-239 are 0x00825363, not the magic cookie 0x63825363")
                .extracting(DhcpFormatException::kind).isEqualTo(NO_MAGIC_COOKIE);
    }

    @Test
    void opOtherThanRequestOrReplyIsABadHeader() {
        byte[] p = PXE_ROM_DISCOVER.clone();
        p[0] = 7;

        assertThat(fault(p).kind()).isEqualTo(BAD_HEADER);
    }

    @Test
    void hardwareAddressLongerThanChaddrIsABadHeader() {
        byte[] p = PXE_ROM_DISCOVER.clone();
        p[2] = 17;

        assertThat(fault(p)).hasMessage("hlen 17 is over the 16 bytes of chaddr");
    }

    @Test
    void optionLengthPastTheEndSaysWhichOptionAndWhere() {
        assertThat(fault(raw("35 01 01 3c 20 505845"))).hasMessage(
                "option 60 (vendor class) at byte 243 claims 32 bytes, but the options field has 3 left")
                .extracting(DhcpFormatException::kind).isEqualTo(OPTION_OVERRUN);
    }

    @Test
    void optionWithoutItsLengthByteOverruns() {
        assertThat(fault(raw("35 01 01 3c"))).hasMessage(
                "option 60 (vendor class) at byte 243 has no length byte: the options field ends there");
    }

    @Test
    void optionsWithoutEndAreRefused() {
        assertThat(fault(raw("35 01 01"))).hasMessage("the options field ends without an END option")
                .extracting(DhcpFormatException::kind).isEqualTo(MISSING_END);
    }

    @Test
    void padsAreSkippedAndBytesAfterEndIgnored() {
        DhcpPacket p = DhcpPacket.decode(raw("00 00 35 01 01 00 3c 09" + ascii("PXEClient") + " 00 ff 3c 02 ab"));

        assertThat(p.options().codes()).containsExactly(53, 60);
        assertThat(p.isPxeClient()).isTrue();
    }

    @Test
    void overloadReadsFileThenSnameAndConcatenatesInThatOrder() {
        // option 60 in three pieces: options field "PXE", file field "Cli", sname field "ent"
        byte[] datagram = raw("3c 03 " + ascii("ent") + " 4d 04 " + ascii("iPXE") + " ff",
                "3c 03 " + ascii("Cli") + " ff", "35 01 01 34 01 03 3c 03 " + ascii("PXE") + " ff");

        DhcpPacket p = DhcpPacket.decode(datagram);

        assertThat(p.vendorClass()).contains("PXEClient");
        assertThat(p.hasIpxeUserClass()).isTrue();
        assertThat(p.options().codes()).containsExactly(53, 60, 77).doesNotContain(DhcpOptionCodes.OVERLOAD);
        assertThat(p.sname()).isEmpty();
        assertThat(p.file()).isEmpty();
    }

    @Test
    void overloadOfFileOnlyLeavesSnameAsText() {
        byte[] datagram = raw(ascii("server"), "3c 09 " + ascii("PXEClient") + " ff", "35 01 01 34 01 01 ff");

        DhcpPacket p = DhcpPacket.decode(datagram);

        assertThat(p.isPxeClient()).isTrue();
        assertThat(p.sname()).isEqualTo("server");
    }

    @Test
    void withoutOverloadFileAndSnameAreText() {
        DhcpPacket p = DhcpPacket.decode(raw(ascii("server"), ascii("undionly.kpxe"), "35 01 01 ff"));

        assertThat(p.file()).isEqualTo("undionly.kpxe");
        assertThat(p.sname()).isEqualTo("server");
    }

    @Test
    void overloadInsideTheFileFieldIsALoopAndRefused() {
        byte[] datagram = raw("", "34 01 03 ff", "35 01 01 34 01 01 ff");

        assertThat(fault(datagram)).hasMessage("option 52 (overload) at byte 108 inside the file field:"
                + " an overloaded field cannot overload again (RFC 2131 4.1)")
                .extracting(DhcpFormatException::kind).isEqualTo(BAD_OVERLOAD);
    }

    @Test
    void overloadInsideTheSnameFieldIsALoopAndRefused() {
        byte[] datagram = raw("00 34 01 01 ff", "ff", "35 01 01 34 01 03 ff");

        assertThat(fault(datagram)).hasMessageContaining("at byte 45 inside the sname field")
                .extracting(DhcpFormatException::kind).isEqualTo(BAD_OVERLOAD);
    }

    @Test
    void overloadOutsideOneToThreeIsRefused() {
        assertThat(fault(raw("34 01 04 ff"))).hasMessage(
                "option 52 (overload) is 04, must be the single byte 1, 2 or 3");
        assertThat(fault(raw("34 01 00 ff")).kind()).isEqualTo(BAD_OVERLOAD);
    }

    @Test
    void repeatedOverloadIsRefused() {
        assertThat(fault(raw("34 01 01 34 01 01 ff"))).hasMessage(
                "option 52 (overload) is 01 01, must be the single byte 1, 2 or 3");
    }

    @Test
    void overloadedFieldWithoutEndIsRefused() {
        byte[] datagram = raw("", "00".repeat(0) + "3c 7e " + "41".repeat(126), "34 01 01 ff");

        assertThat(fault(datagram)).hasMessage("the file field ends without an END option");
    }

    @Test
    void optionRunningOutOfAnOverloadedFieldIsRefused() {
        byte[] datagram = raw("3c 7f " + "41".repeat(62), "ff", "34 01 02 ff");

        assertThat(fault(datagram)).hasMessage(
                "option 60 (vendor class) at byte 44 claims 127 bytes, but the sname field has 62 left");
    }

    @Test
    void repeatedOptionsAreConcatenated() {
        DhcpPacket p = DhcpPacket.decode(raw("3c 03 " + ascii("PXE") + " 35 01 01 3c 06 " + ascii("Client") + " ff"));

        assertThat(p.vendorClass()).contains("PXEClient");
        assertThat(p.options().codes()).containsExactly(60, 53);
    }

    @Test
    void repeatedFixedLengthOptionIsABadValue() {
        assertThat(fault(raw("35 01 01 35 01 03 ff"))).hasMessage(
                "option 53 (message type) is 2 bytes long, must be 1")
                .extracting(DhcpFormatException::kind).isEqualTo(BAD_OPTION_VALUE);
    }

    @Test
    void knownOptionsWithImpossibleValuesAreRefused() {
        assertThat(fault(raw("36 03 0a 00 00 ff"))).hasMessage(
                "option 54 (server identifier) is 3 bytes long, must be 4");
        assertThat(fault(raw("5d 03 00 00 07 ff"))).hasMessage(
                "option 93 (client architecture) is 3 bytes long, must be a non-zero multiple of 2");
        assertThat(fault(raw("61 11 01" + PxePackets.GUID + " ff"))).hasMessage(
                "option 97 (client machine identifier) has type 1, must be 0 (a GUID)");
        assertThat(fault(raw("39 02 01 f4 ff"))).hasMessage(
                "option 57 (maximum message size) holds 500, under the minimum of 576");
        assertThat(fault(raw("3c 00 ff"))).hasMessage("option 60 (vendor class) is empty, must be at least 1 byte");
    }

    @Test
    void seededGarbageAndMutatedGoldensNeverThrowAnythingElse() {
        for (int seed = 0; seed < 5000; seed++) {
            Random r = new Random(seed);
            byte[] datagram;
            switch (r.nextInt(3)) {
                case 0 -> {
                    datagram = new byte[r.nextInt(700)];
                    r.nextBytes(datagram);
                }
                case 1 -> {
                    datagram = (r.nextBoolean() ? PXE_ROM_DISCOVER : IPXE_DISCOVER).clone();
                    for (int i = 0; i < 1 + r.nextInt(6); i++) {
                        datagram[DhcpPacket.HEADER_SIZE + r.nextInt(datagram.length - DhcpPacket.HEADER_SIZE)] =
                                (byte) r.nextInt();
                    }
                }
                default -> {
                    datagram = raw("", "", "34 01 03");
                    byte[] tail = new byte[r.nextInt(200)];
                    r.nextBytes(tail);
                    for (int i = 44; i < 236; i++) {
                        datagram[i] = (byte) (r.nextInt(4) == 0 ? 52 : r.nextInt());
                    }
                    datagram = concat(datagram, tail);
                }
            }
            byte[] input = datagram;
            ThrowingCallable decode = () -> DhcpPacket.decode(input);
            try {
                DhcpPacket p = DhcpPacket.decode(input);
                assertThat(DhcpPacket.decode(p.encode())).isEqualTo(p);
            } catch (DhcpFormatException e) {
                assertThat(e.getMessage()).as("seed %d", seed).isNotBlank().doesNotContain("\n");
            } catch (RuntimeException e) {
                assertThatThrownBy(decode).as("seed %d", seed).isInstanceOf(DhcpFormatException.class);
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
