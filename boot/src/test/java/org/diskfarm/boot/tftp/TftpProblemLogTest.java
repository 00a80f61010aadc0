package org.diskfarm.boot.tftp;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input is logged once per client address and kind per interval, whatever the volume. */
class TftpProblemLogTest {
    private final List<String> lines = new ArrayList<>();
    private final System.Logger capture = new System.Logger() {
        @Override
        public String getName() {
            return "capture";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(MessageFormat.format(format, params));
        }

        @Override
        public void log(Level level, Supplier<String> supplier) {
            lines.add(supplier.get());
        }
    };

    private long now;

    @Test
    void oneLinePerClientAndKind() throws Exception {
        TftpProblemLog log = new TftpProblemLog(capture, 60_000_000_000L, () -> now);
        InetAddress a = InetAddress.getByName("10.0.0.1");
        InetAddress b = InetAddress.getByName("10.0.0.2");
        for (int i = 0; i < 1000; i++) {
            log.report(a, TftpProblemLog.Kind.MALFORMED_PACKET, System.Logger.Level.INFO, "bad from {0}", "a");
        }
        log.report(a, TftpProblemLog.Kind.BAD_OPTIONS, System.Logger.Level.INFO, "options from {0}", "a");
        log.report(b, TftpProblemLog.Kind.MALFORMED_PACKET, System.Logger.Level.INFO, "bad from {0}", "b");
        assertThat(lines).containsExactly("bad from a", "options from a", "bad from b");
    }

    @Test
    void theNextLineAfterTheIntervalCountsWhatWasLeftOut() throws Exception {
        TftpProblemLog log = new TftpProblemLog(capture, 60_000_000_000L, () -> now);
        InetAddress a = InetAddress.getByName("10.0.0.1");
        for (int i = 0; i < 5; i++) {
            log.report(a, TftpProblemLog.Kind.WRONG_TRANSFER_ID, System.Logger.Level.INFO, "stray {0}", "x");
        }
        now += 59_000_000_000L;
        log.report(a, TftpProblemLog.Kind.WRONG_TRANSFER_ID, System.Logger.Level.INFO, "stray {0}", "x");
        now += 2_000_000_000L;
        log.report(a, TftpProblemLog.Kind.WRONG_TRANSFER_ID, System.Logger.Level.INFO, "stray {0}", "x");
        assertThat(lines).containsExactly("stray x",
                "stray x (5 more like it from this client since the last such line)");
    }

    @Test
    void aFloodFromManyAddressesDoesNotGrowTheTable() throws Exception {
        TftpProblemLog log = new TftpProblemLog(capture, 60_000_000_000L, () -> now);
        for (int i = 0; i < TftpProblemLog.MAX_ENTRIES * 2; i++) {
            InetAddress spoofed = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8),
                    (byte) i});
            log.report(spoofed, TftpProblemLog.Kind.MALFORMED_PACKET, System.Logger.Level.INFO, "bad");
        }
        assertThat(log.size()).isLessThanOrEqualTo(TftpProblemLog.MAX_ENTRIES);
    }
}
