package org.diskfarm.boot.tftp;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Option negotiation (RFC 2347, 2348, 2349, 7440) against the server's limits. */
class TftpNegotiationTest {
    private static final TftpServerOptions LIMITS = TftpServerOptions.DEFAULTS.withMaxBlockSize(1468)
            .withMaxWindowSize(16);

    @Test
    void withoutOptionsTheTransferIsRfc1350() throws TftpRefusal {
        TftpNegotiation n = negotiate(TftpMode.OCTET);
        assertThat(n.blockSize()).isEqualTo(512);
        assertThat(n.windowSize()).isEqualTo(1);
        assertThat(n.timeout()).isNull();
        assertThat(n.optionAck(100)).isNull();
    }

    @Test
    void everyOptionIsAcknowledgedInTheClientsOrderAndCase() throws TftpRefusal {
        TftpNegotiation n = negotiate(TftpMode.OCTET, opt("TSIZE", "0"), opt("blksize", "1024"),
                opt("Timeout", "3"), opt("windowsize", "8"));
        assertThat(n.blockSize()).isEqualTo(1024);
        assertThat(n.windowSize()).isEqualTo(8);
        assertThat(n.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(n.optionAck(123_456).options()).containsExactly(opt("TSIZE", "123456"), opt("blksize", "1024"),
                opt("Timeout", "3"), opt("windowsize", "8"));
    }

    @Test
    void blockSizeAboveTheServersCapIsLowered() throws TftpRefusal {
        assertThat(negotiate(TftpMode.OCTET, opt("blksize", "65464")).blockSize()).isEqualTo(1468);
        assertThat(negotiate(TftpMode.OCTET, opt("blksize", "99999999")).optionAck(0).value("blksize"))
                .contains("1468");
        assertThat(negotiate(TftpMode.OCTET, opt("blksize", "9".repeat(40))).blockSize()).isEqualTo(1468);
    }

    @Test
    void smallestBlockSizeIsGranted() throws TftpRefusal {
        assertThat(negotiate(TftpMode.OCTET, opt("blksize", "8")).blockSize()).isEqualTo(8);
    }

    @Test
    void blockSizeBelow8OrNotANumberFailsTheNegotiation() {
        for (String value : List.of("0", "7", "", "abc", "-1", " 512", "512 ", "+512", "0x200")) {
            assertRefused(opt("blksize", value));
        }
    }

    @Test
    void timeoutOutside1To255FailsTheNegotiation() {
        for (String value : List.of("0", "256", "99999999999999999999", "1.5", "x")) {
            assertRefused(opt("timeout", value));
        }
    }

    @Test
    void timeoutIsAcknowledgedUnchanged() throws TftpRefusal {
        assertThat(negotiate(TftpMode.OCTET, opt("timeout", "255")).optionAck(0).value("timeout")).contains("255");
    }

    @Test
    void windowSizeZeroFailsAndALargeOneIsLowered() throws TftpRefusal {
        assertRefused(opt("windowsize", "0"));
        assertRefused(opt("windowsize", "many"));
        assertThat(negotiate(TftpMode.OCTET, opt("windowsize", "65535")).windowSize()).isEqualTo(16);
        assertThat(negotiate(TftpMode.OCTET, opt("windowsize", "70000")).windowSize()).isEqualTo(16);
    }

    @Test
    void tsizeThatIsNotANumberFailsTheNegotiation() {
        assertRefused(opt("tsize", "abc"));
        assertRefused(opt("tsize", ""));
    }

    @Test
    void tsizeIsLeftOutInNetasciiMode() throws TftpRefusal {
        TftpNegotiation n = negotiate(TftpMode.NETASCII, opt("tsize", "0"));
        assertThat(n.optionAck(10)).isNull();
        assertThat(negotiate(TftpMode.NETASCII, opt("tsize", "0"), opt("blksize", "1000")).optionAck(10).options())
                .containsExactly(opt("blksize", "1000"));
    }

    @Test
    void anOptionNamedTwiceFailsTheNegotiationWhateverItsCase() {
        assertRefused(opt("blksize", "512"), opt("BLKSIZE", "1024"));
        assertRefused(opt("tsize", "0"), opt("tsize", "0"));
    }

    @Test
    void unknownOptionsAreIgnored() throws TftpRefusal {
        assertThat(negotiate(TftpMode.OCTET, opt("multicast", ""), opt("utimeout", "1000")).optionAck(0)).isNull();
        assertThat(negotiate(TftpMode.OCTET, opt("x", "y"), opt("tsize", "0")).optionAck(5).options())
                .containsExactly(opt("tsize", "5"));
    }

    @Test
    void decimalParsingSaturatesAndRefusesNonDigits() {
        assertThat(TftpNegotiation.parseDecimal("0042")).isEqualTo(42);
        assertThat(TftpNegotiation.parseDecimal("9".repeat(30))).isEqualTo(Long.MAX_VALUE);
        assertThat(TftpNegotiation.parseDecimal("")).isEqualTo(-1);
        assertThat(TftpNegotiation.parseDecimal("1e3")).isEqualTo(-1);
    }

    private static void assertRefused(TftpOption... options) {
        TftpRefusal refusal = catchThrowableOfType(TftpRefusal.class, () -> negotiate(TftpMode.OCTET, options));
        assertThat(refusal).as("options %s", List.of(options)).isNotNull();
        assertThat(refusal.code()).isEqualTo(TftpErrorCode.OPTION_REFUSED);
    }

    private static TftpNegotiation negotiate(TftpMode mode, TftpOption... options) throws TftpRefusal {
        return TftpNegotiation.negotiate(List.of(options), mode, LIMITS);
    }

    private static TftpOption opt(String name, String value) {
        return new TftpOption(name, value);
    }
}
