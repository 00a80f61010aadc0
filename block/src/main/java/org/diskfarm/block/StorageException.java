package org.diskfarm.block;

import java.io.IOException;
import java.util.Objects;

/**
 * The one exception type of the storage stack. Every layer, from {@link StorageFile} up to a protocol export, throws
 * this and nothing else for storage failures; each protocol maps {@link #kind()} to its wire codes in one table at its
 * boundary (NBD errno values, SCSI sense data).
 *
 * <p>Messages are one line and name the thing and the problem, for example
 * {@code "base.vhd: BAT entry 17 points outside the file (sector 9000000, file has 4100 sectors)"}: they are shown to
 * administrators as they are, without a stack trace.
 */
public final class StorageException extends RuntimeException {

    /** What went wrong, in terms a protocol can map to its own error codes. */
    public enum Kind {
        /** The request lies (partly) outside the device: NBD EINVAL, SCSI LBA OUT OF RANGE. */
        OUT_OF_RANGE,
        /** The request is malformed (bad alignment, negative length): NBD EINVAL, SCSI INVALID FIELD IN CDB. */
        INVALID_ARGUMENT,
        /** A write to a read-only device: NBD EPERM, SCSI WRITE PROTECTED. */
        READ_ONLY,
        /** No room left (a full write cache, a full file system): NBD ENOSPC, SCSI SPACE ALLOCATION FAILED. */
        NO_SPACE,
        /** The device does not support the operation: NBD ENOTSUP/EINVAL, SCSI INVALID OPCODE. */
        NOT_SUPPORTED,
        /** The on-disk structure is damaged or not what it claims to be. */
        CORRUPT,
        /** The file or a file it needs (a parent disk) does not exist. */
        NOT_FOUND,
        /** Someone else holds the device (a Private-mode lock). */
        BUSY,
        /** The device was closed. */
        CLOSED,
        /** An I/O error from the operating system: NBD EIO, SCSI MEDIUM ERROR. */
        IO_ERROR
    }

    private final Kind kind;

    public StorageException(Kind kind, String message) {
        super(Objects.requireNonNull(message), null, false, true);
        this.kind = Objects.requireNonNull(kind);
    }

    public StorageException(Kind kind, String message, Throwable cause) {
        super(Objects.requireNonNull(message), cause, false, true);
        this.kind = Objects.requireNonNull(kind);
    }

    public Kind kind() {
        return kind;
    }

    /** Wraps an {@link IOException} from the operating system, naming what was being done to which file. */
    public static StorageException io(String what, IOException cause) {
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        Kind kind = detail.contains("No space left") ? Kind.NO_SPACE : Kind.IO_ERROR;
        return new StorageException(kind, what + ": " + detail, cause);
    }

    public static StorageException corrupt(String message) {
        return new StorageException(Kind.CORRUPT, message);
    }
}
