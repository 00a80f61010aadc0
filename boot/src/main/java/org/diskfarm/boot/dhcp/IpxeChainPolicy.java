package org.diskfarm.boot.dhcp;

import java.net.Inet4Address;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The standard iPXE chain as a {@link BootPolicy}: a PXE ROM is sent the farm's iPXE binary over TFTP for its
 * architecture ("undionly.kpxe" for x86 BIOS, "ipxe.efi" for x86-64 UEFI, codes 7 and 9); iPXE is sent the URL of
 * its boot script over HTTP, from a function of its MAC address.
 *
 * <p><b>chainAlways</b> (default true). A client that is already iPXE, such as a QEMU VM whose NIC ROM is iPXE,
 * would go straight to the script and never run the farm's own iPXE build. With chainAlways, an iPXE request gets the
 * binary as well, unless that MAC address was sent a binary within the last {@code chainWindow} (default 60 s): then
 * it gets the script. So every boot runs ROM, TFTP, the farm's iPXE, HTTP, as a PVS bootstrap does, and the chain
 * cannot loop: a MAC is sent at most one binary per window, and the iPXE that binary starts asks within the window
 * and is sent the script. The window must be longer than the time from sending the binary to that iPXE's first DHCP
 * request (a TFTP transfer of about 1 MB, seconds on a LAN); if it is not, the binary is sent once per window. Any
 * binary counts, including one sent to a non-iPXE ROM, so a BIOS PXE ROM's undionly.kpxe is not sent twice. The
 * server sends retransmissions of one DHCP exchange the same answer without asking again, so the ROM's own retries
 * do not use up the window. Without chainAlways, iPXE always gets the script.
 *
 * <p>An iPXE client of an architecture with no binary gets the script; a ROM of such an architecture gets no
 * answer. Thread-safe: the memory of binaries sent is guarded by this object's lock and holds at most
 * {@value #MAX_REMEMBERED} MAC addresses (the oldest go first).
 */
public final class IpxeChainPolicy implements BootPolicy {
    /** iPXE for PXE ROMs on x86 BIOS: loads over UNDI, so it works with any NIC. */
    public static final String BIOS_BINARY = "undionly.kpxe";
    /** iPXE for x86-64 UEFI. */
    public static final String UEFI_X64_BINARY = "ipxe.efi";
    public static final Duration DEFAULT_CHAIN_WINDOW = Duration.ofSeconds(60);
    static final int MAX_REMEMBERED = 16_384;

    private final Inet4Address tftpServer;
    private final Function<String, String> scriptUrl;
    private final Map<ClientArch, String> binaries;
    private final boolean chainAlways;
    private final Duration chainWindow;
    private final InstantSource clock;
    /** When each MAC address was last sent a binary; guarded by {@code this}. */
    private final LinkedHashMap<String, Instant> binarySent = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };

    private IpxeChainPolicy(Builder b) {
        this.tftpServer = b.tftpServer;
        this.scriptUrl = b.scriptUrl;
        this.binaries = Map.copyOf(b.binaries);
        this.chainAlways = b.chainAlways;
        this.chainWindow = b.chainWindow;
        this.clock = b.clock;
    }

    /**
     * A builder for the chain through {@code tftpServer} (the address PXE ROMs load the binary from) to the script
     * at {@code scriptUrl.apply(mac)}.
     */
    public static Builder builder(Inet4Address tftpServer, Function<String, String> scriptUrl) {
        return new Builder(tftpServer, scriptUrl);
    }

    @Override
    public Optional<BootAnswer> answer(BootRequest request) {
        Optional<String> binary = request.arch().map(binaries::get);
        if (request.ipxe() && binary.isEmpty()) {
            return Optional.of(script(request, "iPXE, no binary for its architecture"));
        }
        if (binary.isEmpty()) {
            return Optional.empty();
        }
        if (!request.ipxe()) {
            remember(request.mac());
            return Optional.of(BootAnswer.of(binary.get(), tftpServer).withMessage("PXE ROM: chain to iPXE"));
        }
        if (!chainAlways) {
            return Optional.of(script(request, "iPXE"));
        }
        synchronized (this) {
            Instant sent = binarySent.get(request.mac());
            Instant now = clock.instant();
            if (sent != null && now.isBefore(sent.plus(chainWindow))) {
                return Optional.of(script(request, "iPXE, sent our binary "
                        + Duration.between(sent, now).toSeconds() + " s ago"));
            }
            remember(request.mac());
        }
        return Optional.of(BootAnswer.of(binary.get(), tftpServer)
                .withMessage("iPXE, not sent our binary in the last " + chainWindow.toSeconds()
                        + " s: chain to our iPXE (chainAlways)"));
    }

    private synchronized void remember(String mac) {
        binarySent.remove(mac);
        binarySent.put(mac, clock.instant());
    }

    private BootAnswer script(BootRequest request, String why) {
        return BootAnswer.of(scriptUrl.apply(request.mac()), tftpServer).withMessage(why + ": the boot script");
    }

    /** Builds an {@link IpxeChainPolicy}. Not thread-safe. */
    public static final class Builder {
        private final Inet4Address tftpServer;
        private final Function<String, String> scriptUrl;
        private final Map<ClientArch, String> binaries = new LinkedHashMap<>(Map.of(
                ClientArch.BIOS_X86, BIOS_BINARY,
                ClientArch.UEFI_X64, UEFI_X64_BINARY,
                ClientArch.UEFI_X64_ALT, UEFI_X64_BINARY));
        private boolean chainAlways = true;
        private Duration chainWindow = DEFAULT_CHAIN_WINDOW;
        private InstantSource clock = InstantSource.system();

        private Builder(Inet4Address tftpServer, Function<String, String> scriptUrl) {
            this.tftpServer = Objects.requireNonNull(tftpServer);
            this.scriptUrl = Objects.requireNonNull(scriptUrl);
        }

        /** The iPXE binary, a TFTP path, for PXE ROMs of {@code arch}; replaces the default for that code. */
        public Builder binary(ClientArch arch, String tftpPath) {
            binaries.put(Objects.requireNonNull(arch), Objects.requireNonNull(tftpPath));
            return this;
        }

        /** No binary for {@code arch}: its PXE ROMs get no answer, its iPXE clients the script. */
        public Builder noBinary(ClientArch arch) {
            binaries.remove(arch);
            return this;
        }

        /** Whether iPXE clients are chained to the farm's iPXE binary first (see the class note); default true. */
        public Builder chainAlways(boolean chainAlways) {
            this.chainAlways = chainAlways;
            return this;
        }

        /** How long a binary sent to a MAC address makes its iPXE requests get the script; default 60 s. */
        public Builder chainWindow(Duration window) {
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("the chain window must be positive, not " + window);
            }
            this.chainWindow = window;
            return this;
        }

        /** The clock of the chain window (tests). */
        Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public IpxeChainPolicy build() {
            return new IpxeChainPolicy(this);
        }
    }
}
