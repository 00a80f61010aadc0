package org.diskfarm.boot.dhcp;

/**
 * The option codes the proxy reads or writes (RFC 2132 unless noted), and a name for each in error messages.
 * Option codes are an open space of 0 to 255 and most pass through untouched, so they are plain {@code int}s;
 * {@link DhcpOptions} keeps any code.
 */
public final class DhcpOptionCodes {
    /** 0: one byte of padding, no length (RFC 2132 section 3.1). */
    public static final int PAD = 0;
    /** 43: vendor-specific information; for "PXEClient" its PXE sub-options (PXE 2.1 section 2.2.5). */
    public static final int VENDOR_SPECIFIC = 43;
    /** 50: requested IP address, 4 bytes. */
    public static final int REQUESTED_IP = 50;
    /** 52: option overload, 1 byte: 1 {@code file}, 2 {@code sname}, 3 both (section 9.3). */
    public static final int OVERLOAD = 52;
    /** 53: DHCP message type, 1 byte. */
    public static final int MESSAGE_TYPE = 53;
    /** 54: server identifier, 4 bytes. */
    public static final int SERVER_ID = 54;
    /** 55: parameter request list, one code a byte. */
    public static final int PARAMETER_REQUEST_LIST = 55;
    /** 57: maximum DHCP message size, 2 bytes, at least 576. */
    public static final int MAX_MESSAGE_SIZE = 57;
    /** 60: vendor class identifier; "PXEClient:Arch:xxxxx:UNDI:yyyzzz" from PXE clients. */
    public static final int VENDOR_CLASS = 60;
    /** 61: client identifier, at least 2 bytes. */
    public static final int CLIENT_ID = 61;
    /** 66: TFTP server name, text. */
    public static final int TFTP_SERVER_NAME = 66;
    /** 67: boot file name, text. */
    public static final int BOOT_FILE_NAME = 67;
    /** 77: user class (RFC 3004); iPXE sends the bare text "iPXE" instead of RFC 3004's length-prefixed list. */
    public static final int USER_CLASS = 77;
    /** 93: client system architecture, a list of 16-bit types (RFC 4578 section 2.1). */
    public static final int CLIENT_ARCH = 93;
    /** 94: client network interface identifier: type, major, minor (RFC 4578 section 2.2). */
    public static final int CLIENT_NDI = 94;
    /** 97: client machine identifier: type 0 and a 16-byte GUID (RFC 4578 section 2.3). */
    public static final int CLIENT_MACHINE_ID = 97;
    /** 175: iPXE's encapsulated options (features, priority); sent by every iPXE build. */
    public static final int IPXE_ENCAPSULATED = 175;
    /** 255: end of the options in a field, no length. */
    public static final int END = 255;

    private DhcpOptionCodes() {
    }

    /** "option 60 (vendor class)" for the codes above, "option 12" for the rest. */
    public static String describe(int code) {
        String name = switch (code) {
            case PAD -> "pad";
            case VENDOR_SPECIFIC -> "vendor specific";
            case REQUESTED_IP -> "requested IP";
            case OVERLOAD -> "overload";
            case MESSAGE_TYPE -> "message type";
            case SERVER_ID -> "server identifier";
            case PARAMETER_REQUEST_LIST -> "parameter request list";
            case MAX_MESSAGE_SIZE -> "maximum message size";
            case VENDOR_CLASS -> "vendor class";
            case CLIENT_ID -> "client identifier";
            case TFTP_SERVER_NAME -> "TFTP server name";
            case BOOT_FILE_NAME -> "boot file name";
            case USER_CLASS -> "user class";
            case CLIENT_ARCH -> "client architecture";
            case CLIENT_NDI -> "client network interface";
            case CLIENT_MACHINE_ID -> "client machine identifier";
            case IPXE_ENCAPSULATED -> "iPXE encapsulated options";
            case END -> "end";
            default -> null;
        };
        return name == null ? "option " + code : "option " + code + " (" + name + ")";
    }
}
