package org.diskfarm.boot.dhcp;

import java.util.Optional;

/**
 * A client system architecture, option 93 (RFC 4578 section 2.1): the firmware a PXE client runs, which decides the
 * boot file it can load. The codes are an open IANA registry ("Processor Architecture Types"), so this is a value
 * with well-known constants rather than an enum: a code nobody here knows is still a valid, comparable value.
 *
 * <p>A note on 7 and 9: RFC 4578 lists 7 as "EFI BC" and 9 as "EFI x86-64", but the IANA registry (after RFC 4578's
 * errata) has 7 = x64 UEFI and 9 = EFI byte code, and that is what firmware sends: EDK2/OVMF and iPXE's x86-64 EFI
 * builds send 7, a few older x86-64 UEFI firmwares send 9. Both are treated as x86-64 UEFI ({@link #isX64Uefi()}).
 *
 * @param code the 16-bit architecture type
 */
public record ClientArch(int code) {
    /** 0: x86 BIOS (legacy PXE ROMs, iPXE's PC-BIOS builds). */
    public static final ClientArch BIOS_X86 = new ClientArch(0);
    /** 6: x86 (32-bit) UEFI. */
    public static final ClientArch UEFI_IA32 = new ClientArch(6);
    /** 7: x86-64 UEFI (RFC 4578's "EFI BC"; see the class note). */
    public static final ClientArch UEFI_X64 = new ClientArch(7);
    /** 9: RFC 4578's "EFI x86-64"; the IANA registry's EFI byte code (see the class note). */
    public static final ClientArch UEFI_X64_ALT = new ClientArch(9);
    /** 10: 32-bit ARM UEFI. */
    public static final ClientArch UEFI_ARM32 = new ClientArch(10);
    /** 11: 64-bit ARM UEFI. */
    public static final ClientArch UEFI_ARM64 = new ClientArch(11);
    /** 16: x86-64 UEFI booting over HTTP (UEFI HTTP boot sends "HTTPClient", not "PXEClient"). */
    public static final ClientArch UEFI_X64_HTTP = new ClientArch(16);

    public ClientArch {
        if (code < 0 || code > 0xffff) {
            throw new IllegalArgumentException("client architecture " + code + " is not a 16-bit value");
        }
    }

    /**
     * The architecture in a PXE vendor class, "PXEClient:Arch:00007:UNDI:003000" (PXE 2.1 section 2.2.1), for clients
     * that leave out option 93; empty if the text has no "Arch:" field of 1 to 5 digits.
     */
    public static Optional<ClientArch> fromVendorClass(String vendorClass) {
        String prefix = "PXEClient:Arch:";
        if (!vendorClass.startsWith(prefix)) {
            return Optional.empty();
        }
        int end = vendorClass.indexOf(':', prefix.length());
        String digits = vendorClass.substring(prefix.length(), end < 0 ? vendorClass.length() : end);
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        int code = Integer.parseInt(digits);
        return code > 0xffff ? Optional.empty() : Optional.of(new ClientArch(code));
    }

    /** Whether this is x86-64 UEFI under either of its two codes, 7 and 9. */
    public boolean isX64Uefi() {
        return code == 7 || code == 9;
    }

    /** A short name for logs: the registry's name for the codes PXE meets, else the number. */
    public String label() {
        return switch (code) {
            case 0 -> "x86 BIOS";
            case 6 -> "x86 UEFI";
            case 7 -> "x86-64 UEFI";
            case 9 -> "x86-64 UEFI (9)";
            case 10 -> "ARM32 UEFI";
            case 11 -> "ARM64 UEFI";
            case 16 -> "x86-64 UEFI HTTP";
            default -> "arch " + code;
        };
    }

    @Override
    public String toString() {
        return label();
    }
}
