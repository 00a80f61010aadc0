package org.diskfarm.iscsi.scsi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

/**
 * Who a logical unit says it is (INQUIRY): the same on every server that serves the same vDisk version and across
 * reconnections, because initiators (Windows MPIO, Linux dm-multipath, libiscsi's reconnect) recognise a disk by it.
 *
 * @param vendor       T10 vendor identification, at most 8 ASCII characters (standard INQUIRY, VPD 83h T10 designator)
 * @param product      product identification, at most 16 ASCII characters
 * @param revision     product revision level, at most 4 ASCII characters
 * @param serialNumber unit serial number (VPD 80h), printable ASCII
 * @param naa          the 8-byte NAA designator (VPD 83h); type 3 (locally assigned) since diskfarm has no IEEE OUI
 */
public record ScsiIdentity(String vendor, String product, String revision, String serialNumber, long naa) {
    public ScsiIdentity {
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(serialNumber, "serialNumber");
        if (vendor.length() > 8 || product.length() > 16 || revision.length() > 4) {
            throw new IllegalArgumentException("vendor, product and revision are at most 8, 16 and 4 characters");
        }
        if (serialNumber.isEmpty() || !serialNumber.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("serial number must be printable ASCII: \"" + serialNumber + "\"");
        }
        if ((naa >>> 60) != 3) {
            throw new IllegalArgumentException("naa must be an NAA type 3 (locally assigned) identifier");
        }
    }

    /** What {@link #derive} puts in every identity it derives. */
    public static final String VENDOR = "DISKFARM";
    public static final String PRODUCT = "vDisk";
    public static final String REVISION = "0001";

    /**
     * The identity of version {@code version} of the vDisk {@code id}: the serial number and the NAA identifier come
     * from a SHA-256 of the two, so every server derives the same ones, a new version (a changed disk) gets new ones,
     * and renaming the vDisk changes nothing.
     *
     * @param id      the vDisk's unique id
     * @param version its version number
     * @param name    the vDisk's name; not part of the identity (a rename must not make initiators see a new disk)
     */
    public static ScsiIdentity derive(UUID id, long version, String name) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        ByteBuffer input = ByteBuffer.allocate(64);
        input.put("diskfarm vDisk identity\0".getBytes(StandardCharsets.US_ASCII));
        input.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).putLong(version);
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(input.array(),
                    input.position()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        ByteBuffer h = ByteBuffer.wrap(hash);
        // NAA 3 (locally assigned, SPC-4 NAA designator): the top nibble is the type, 60 bits of hash follow.
        long naa = (3L << 60) | (h.getLong(0) & 0x0fffffffffffffffL);
        // 20 hex digits (80 bits) from another part of the hash: printable, fixed width, case-stable.
        String serial = HexFormat.of().withUpperCase().formatHex(hash, 8, 18);
        return new ScsiIdentity(VENDOR, PRODUCT, REVISION, serial, naa);
    }
}
