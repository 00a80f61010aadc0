package org.diskfarm.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import org.diskfarm.block.StorageException;
import org.diskfarm.block.StorageException.Kind;
import org.junit.jupiter.api.Test;

class NbdErrorsTest {

    @Test
    void everyKindHasAnErrnoForEveryCommand() {
        for (Kind kind : Kind.values()) {
            for (NbdCommand command : NbdCommand.values()) {
                assertThat(NbdErrors.errorFor(kind, command, false)).isNotNull();
            }
            assertThat(NbdErrors.errorFor(kind, null, false)).as("unknown command").isNotNull();
            assertThat(NbdErrors.optionErrorFor(kind).isError()).isTrue();
        }
    }

    @Test
    void writesToReadOnlyExportsAreEperm() {
        assertThat(NbdErrors.errorFor(Kind.READ_ONLY, NbdCommand.WRITE, false)).isEqualTo(NbdError.EPERM);
        assertThat(NbdErrors.errorFor(Kind.READ_ONLY, NbdCommand.TRIM, false)).isEqualTo(NbdError.EPERM);
    }

    @Test
    void fullWriteCacheIsEnospc() {
        assertThat(NbdErrors.errorFor(Kind.NO_SPACE, NbdCommand.WRITE, false)).isEqualTo(NbdError.ENOSPC);
    }

    @Test
    void outOfRangeIsEinvalForReadsAndEnospcForWritesAsTheProtocolAsks() {
        assertThat(NbdErrors.errorFor(Kind.OUT_OF_RANGE, NbdCommand.READ, false)).isEqualTo(NbdError.EINVAL);
        assertThat(NbdErrors.errorFor(Kind.OUT_OF_RANGE, NbdCommand.TRIM, false)).isEqualTo(NbdError.EINVAL);
        assertThat(NbdErrors.errorFor(Kind.OUT_OF_RANGE, NbdCommand.WRITE, false)).isEqualTo(NbdError.ENOSPC);
        assertThat(NbdErrors.errorFor(Kind.OUT_OF_RANGE, NbdCommand.WRITE_ZEROES, false)).isEqualTo(NbdError.ENOSPC);
    }

    @Test
    void notSupportedIsEnotsupOnlyForAFastZero() {
        assertThat(NbdErrors.errorFor(Kind.NOT_SUPPORTED, NbdCommand.WRITE_ZEROES, true)).isEqualTo(NbdError.ENOTSUP);
        assertThat(NbdErrors.errorFor(Kind.NOT_SUPPORTED, NbdCommand.WRITE_ZEROES, false)).isEqualTo(NbdError.EINVAL);
        assertThat(NbdErrors.errorFor(Kind.NOT_SUPPORTED, NbdCommand.CACHE, false)).isEqualTo(NbdError.EINVAL);
    }

    @Test
    void damagedOrMissingStorageIsEio() {
        for (Kind kind : new Kind[] {Kind.CORRUPT, Kind.IO_ERROR, Kind.NOT_FOUND, Kind.BUSY, Kind.CLOSED}) {
            assertThat(NbdErrors.errorFor(kind, NbdCommand.READ, false)).isEqualTo(NbdError.EIO);
        }
    }

    @Test
    void aClosedDeviceClosesTheConnectionRatherThanAnswering() {
        assertThat(NbdErrors.mustClose(Kind.CLOSED)).isTrue();
        assertThat(NbdErrors.mustClose(Kind.IO_ERROR)).isFalse();
    }

    @Test
    void requestFlagsReachTheTable() {
        NbdRequest fastZero = new NbdRequest(NbdCommand.WRITE_ZEROES, NbdFlags.Command.FAST_ZERO, 1, 0, 4096);
        StorageException e = new StorageException(Kind.NOT_SUPPORTED, "no fast zero");
        assertThat(NbdErrors.errorFor(e, fastZero)).isEqualTo(NbdError.ENOTSUP);
        NbdRequest unknown = NbdRequest.decode(NbdCodecTest.encode(new NbdRequest(99, 0, 1, 0, 0)));
        assertThat(NbdErrors.errorFor(new StorageException(Kind.IO_ERROR, "x"), unknown)).isEqualTo(NbdError.EIO);
    }

    @Test
    void lockedExportIsRefusedByPolicy() {
        assertThat(NbdErrors.optionErrorFor(Kind.BUSY)).isEqualTo(NbdOptionReplyType.ERR_POLICY);
        assertThat(NbdErrors.optionErrorFor(Kind.NOT_FOUND)).isEqualTo(NbdOptionReplyType.ERR_UNKNOWN);
        assertThat(NbdErrors.optionErrorFor(Kind.CLOSED)).isEqualTo(NbdOptionReplyType.ERR_SHUTDOWN);
    }
}
