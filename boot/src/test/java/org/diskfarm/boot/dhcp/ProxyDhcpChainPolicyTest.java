package org.diskfarm.boot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.diskfarm.boot.dhcp.PxePackets.MAC;
import static org.diskfarm.boot.dhcp.PxePackets.ip;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link IpxeChainPolicy}: ROM to binary, iPXE to script, and the chain memory that keeps chainAlways from looping. */
class ProxyDhcpChainPolicyTest {
    private static final Inet4Address TFTP = ip("10.0.0.5");
    private static final String OTHER_MAC = "52:54:00:00:00:02";

    /** A clock the test moves. */
    private static final class TestClock implements InstantSource {
        Instant now = Instant.parse("2026-01-01T08:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private final TestClock clock = new TestClock();

    private IpxeChainPolicy.Builder policy() {
        return IpxeChainPolicy.builder(TFTP, mac -> "http://10.0.0.5:8080/boot/" + mac + ".ipxe").clock(clock);
    }

    private static BootRequest request(String mac, Optional<ClientArch> arch, boolean ipxe) {
        InetSocketAddress any = new InetSocketAddress(0);
        return new BootRequest(mac, arch, ipxe, "PXEClient:Arch:00000:UNDI:002001", any, any,
                DhcpMessageType.DISCOVER);
    }

    private static BootRequest rom(ClientArch arch) {
        return request(MAC, Optional.of(arch), false);
    }

    private static BootRequest ipxe(String mac) {
        return request(mac, Optional.of(ClientArch.BIOS_X86), true);
    }

    private static String file(Optional<BootAnswer> answer) {
        return answer.orElseThrow().bootFileName();
    }

    @Test
    void biosRomGetsUndionly() {
        Optional<BootAnswer> a = policy().build().answer(rom(ClientArch.BIOS_X86));

        assertThat(file(a)).isEqualTo("undionly.kpxe");
        assertThat(a.orElseThrow().tftpServer()).isEqualTo(TFTP);
    }

    @Test
    void uefiX64RomGetsIpxeEfiUnderBothCodes() {
        IpxeChainPolicy p = policy().build();

        assertThat(file(p.answer(rom(ClientArch.UEFI_X64)))).isEqualTo("ipxe.efi");
        assertThat(file(p.answer(rom(ClientArch.UEFI_X64_ALT)))).isEqualTo("ipxe.efi");
    }

    @Test
    void binaryNamesAreConfigurable() {
        IpxeChainPolicy p = policy().binary(ClientArch.BIOS_X86, "ipxe/undionly.kpxe")
                .binary(ClientArch.UEFI_ARM64, "ipxe/arm64.efi").build();

        assertThat(file(p.answer(rom(ClientArch.BIOS_X86)))).isEqualTo("ipxe/undionly.kpxe");
        assertThat(file(p.answer(rom(ClientArch.UEFI_ARM64)))).isEqualTo("ipxe/arm64.efi");
    }

    @Test
    void romOfAnArchitectureWithoutBinaryGetsNoAnswer() {
        IpxeChainPolicy p = policy().noBinary(ClientArch.UEFI_X64_ALT).build();

        assertThat(p.answer(rom(ClientArch.UEFI_ARM64))).isEmpty();
        assertThat(p.answer(rom(ClientArch.UEFI_X64_ALT))).isEmpty();
        assertThat(p.answer(request(MAC, Optional.empty(), false))).isEmpty();
    }

    @Test
    void ipxeGetsTheScriptWithoutChainAlways() {
        IpxeChainPolicy p = policy().chainAlways(false).build();

        assertThat(file(p.answer(ipxe(MAC)))).isEqualTo("http://10.0.0.5:8080/boot/52:54:00:12:34:56.ipxe");
        assertThat(file(p.answer(ipxe(MAC)))).startsWith("http://");
    }

    @Test
    void ipxeOfAnArchitectureWithoutBinaryGetsTheScript() {
        IpxeChainPolicy p = policy().build();

        assertThat(file(p.answer(request(MAC, Optional.of(ClientArch.UEFI_ARM64), true)))).startsWith("http://");
        assertThat(file(p.answer(request(MAC, Optional.empty(), true)))).startsWith("http://");
    }

    @Test
    void chainAlwaysSendsAnIpxeRomTheBinaryThenTheScript() {
        IpxeChainPolicy p = policy().build();

        assertThat(file(p.answer(ipxe(MAC)))).isEqualTo("undionly.kpxe");
        clock.advance(Duration.ofSeconds(5));
        assertThat(file(p.answer(ipxe(MAC)))).startsWith("http://");
    }

    @Test
    void binarySentToANonIpxeRomCountsForTheChain() {
        IpxeChainPolicy p = policy().build();

        assertThat(file(p.answer(rom(ClientArch.BIOS_X86)))).isEqualTo("undionly.kpxe");
        assertThat(file(p.answer(ipxe(MAC)))).startsWith("http://");
    }

    @Test
    void chainMemoryIsPerMacAddress() {
        IpxeChainPolicy p = policy().build();

        p.answer(ipxe(MAC));

        assertThat(file(p.answer(ipxe(OTHER_MAC)))).isEqualTo("undionly.kpxe");
    }

    @Test
    void afterTheWindowTheBinaryIsSentAgain() {
        IpxeChainPolicy p = policy().chainWindow(Duration.ofSeconds(60)).build();
        p.answer(ipxe(MAC));

        clock.advance(Duration.ofSeconds(59));
        assertThat(file(p.answer(ipxe(MAC)))).startsWith("http://");
        clock.advance(Duration.ofSeconds(1));
        assertThat(file(p.answer(ipxe(MAC)))).isEqualTo("undionly.kpxe");
    }

    @Test
    void aMacIsSentAtMostOneBinaryPerWindowHoweverOftenItAsks() {
        IpxeChainPolicy p = policy().build();
        int binaries = 0;

        for (int i = 0; i < 120; i++) {
            if (!file(p.answer(ipxe(MAC))).startsWith("http://")) {
                binaries++;
            }
            clock.advance(Duration.ofSeconds(1));
        }

        assertThat(binaries).isEqualTo(2);
    }

    @Test
    void scriptAnswersStillNameTheTftpServer() {
        IpxeChainPolicy p = policy().chainAlways(false).build();

        assertThat(p.answer(ipxe(MAC)).orElseThrow().tftpServer()).isEqualTo(TFTP);
    }

    @Test
    void answersSayWhyForTheLog() {
        IpxeChainPolicy p = policy().build();

        assertThat(p.answer(ipxe(MAC)).orElseThrow().message()).hasValueSatisfying(m ->
                assertThat(m).contains("chainAlways"));
        assertThat(p.answer(ipxe(MAC)).orElseThrow().message()).hasValueSatisfying(m ->
                assertThat(m).contains("sent our binary 0 s ago"));
    }

    @Test
    void chainWindowMustBePositive() {
        assertThatThrownBy(() -> policy().chainWindow(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bootAnswerRefusesNamesClientsCannotTake() {
        assertThatThrownBy(() -> BootAnswer.of("", TFTP)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BootAnswer.of("x".repeat(256), TFTP)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BootAnswer.of("boot file", TFTP)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BootAnswer.of("caf\u00e9", TFTP)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BootAnswer.of("undionly.kpxe", DhcpPacket.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
