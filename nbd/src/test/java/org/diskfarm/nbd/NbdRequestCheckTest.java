package org.diskfarm.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NbdRequestCheckTest {
    private static final NbdNegotiated DISK = new NbdNegotiated(TestExports.DISK,
            TestExports.DISK.transmissionFlags(true), true, true, true);
    private static final NbdNegotiated GOLD_SIMPLE = new NbdNegotiated(TestExports.GOLD,
            TestExports.GOLD.transmissionFlags(false), false, false, false);
    private static final long SIZE = TestExports.DISK.size();

    private static NbdError errorOf(NbdNegotiated session, NbdCommand command, int flags, long offset, long length) {
        NbdRequestCheck.Rejection rejection =
                NbdRequestCheck.check(new NbdRequest(command, flags, 1, offset, length), session);
        return rejection == null ? null : rejection.error();
    }

    @Test
    void ordinaryRequestsPass() {
        assertThat(errorOf(DISK, NbdCommand.READ, NbdFlags.Command.DF, 0, 4096)).isNull();
        assertThat(errorOf(DISK, NbdCommand.WRITE, NbdFlags.Command.FUA, SIZE - 512, 512)).isNull();
        assertThat(errorOf(DISK, NbdCommand.WRITE_ZEROES, NbdFlags.Command.NO_HOLE | NbdFlags.Command.FAST_ZERO,
                0, SIZE)).isNull();
        assertThat(errorOf(DISK, NbdCommand.TRIM, 0, 0, SIZE)).isNull();
        assertThat(errorOf(DISK, NbdCommand.BLOCK_STATUS, NbdFlags.Command.REQ_ONE, 0, SIZE)).isNull();
        assertThat(errorOf(DISK, NbdCommand.FLUSH, NbdFlags.Command.FUA, 0, 0)).isNull();
        assertThat(errorOf(GOLD_SIMPLE, NbdCommand.READ, 0, 0, 512)).isNull();
    }

    @Test
    void writesToReadOnlyExportsAreEperm() {
        assertThat(errorOf(GOLD_SIMPLE, NbdCommand.WRITE, 0, 0, 512)).isEqualTo(NbdError.EPERM);
        assertThat(errorOf(GOLD_SIMPLE, NbdCommand.TRIM, 0, 0, 512)).isEqualTo(NbdError.EPERM);
        assertThat(errorOf(GOLD_SIMPLE, NbdCommand.WRITE_ZEROES, 0, 0, 512)).isEqualTo(NbdError.EPERM);
    }

    @Test
    void rangesPastTheEndAreEinvalForReadsAndEnospcForWrites() {
        assertThat(errorOf(DISK, NbdCommand.READ, 0, SIZE - 511, 512)).isEqualTo(NbdError.EINVAL);
        assertThat(errorOf(DISK, NbdCommand.READ, 0, -1L, 1)).isEqualTo(NbdError.EINVAL);
        assertThat(errorOf(DISK, NbdCommand.WRITE, 0, SIZE, 1)).isEqualTo(NbdError.ENOSPC);
        assertThat(errorOf(DISK, NbdCommand.TRIM, 0, SIZE + 1, 0)).isEqualTo(NbdError.EINVAL);
    }

    @Test
    void readsLongerThanTheMaximumAreEinval() {
        assertThat(errorOf(DISK, NbdCommand.READ, 0, 0, (32 << 20) + 1)).isEqualTo(NbdError.EINVAL);
    }

    @Test
    void unknownCommandsAndFlagsAreEinval() {
        NbdRequest unknown = new NbdRequest(0, 42, 1, 0, 0);
        assertThat(NbdRequestCheck.check(unknown, DISK).message()).isEqualTo("unknown command 42");
        assertThat(errorOf(DISK, NbdCommand.READ, 0x80, 0, 512)).isEqualTo(NbdError.EINVAL);
        assertThat(errorOf(DISK, NbdCommand.READ, NbdFlags.Command.NO_HOLE, 0, 512)).isEqualTo(NbdError.EINVAL);
        assertThat(errorOf(DISK, NbdCommand.WRITE, NbdFlags.Command.REQ_ONE, 0, 512)).isEqualTo(NbdError.EINVAL);
        assertThat(errorOf(GOLD_SIMPLE, NbdCommand.READ, NbdFlags.Command.DF, 0, 512)).isEqualTo(NbdError.EINVAL);
    }

    @Test
    void commandsThatWereNotNegotiatedAreEinval() {
        assertThat(errorOf(GOLD_SIMPLE, NbdCommand.BLOCK_STATUS, 0, 0, 512)).isEqualTo(NbdError.EINVAL);
        assertThat(errorOf(DISK, NbdCommand.CACHE, 0, 0, 512)).isEqualTo(NbdError.EINVAL);
        assertThat(errorOf(DISK, NbdCommand.RESIZE, 0, 0, 0)).isEqualTo(NbdError.EINVAL);
        NbdExportInfo noTrim = new NbdExportInfo("plain", "", SIZE, false, false, false, false,
                TestExports.DISK.limits());
        NbdNegotiated plain = new NbdNegotiated(noTrim, noTrim.transmissionFlags(false), false, false, false);
        assertThat(errorOf(plain, NbdCommand.TRIM, 0, 0, 512)).isEqualTo(NbdError.EINVAL);
        assertThat(errorOf(plain, NbdCommand.WRITE_ZEROES, NbdFlags.Command.FAST_ZERO, 0, 512))
                .isEqualTo(NbdError.EINVAL);
        assertThat(errorOf(plain, NbdCommand.WRITE_ZEROES, 0, 0, 512)).isNull();
    }
}
