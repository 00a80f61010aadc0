package org.diskfarm.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link IoStats} loses no count when many threads count at once. */
class IoStatsTest {

    @Test
    void countsFromManyThreadsAddUpExactly() throws InterruptedException {
        IoStats stats = new IoStats();
        int threads = 8;
        int each = 10_000;
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            started.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    stats.countRead(4096);
                    stats.countWrite(512);
                    stats.countFlush();
                    stats.countTrim(1 << 20);
                    stats.countZero(8192);
                    stats.countError();
                }
            }));
        }
        for (Thread thread : started) {
            thread.join();
        }
        long n = (long) threads * each;
        assertThat(stats.reads()).isEqualTo(n);
        assertThat(stats.bytesRead()).isEqualTo(n * 4096);
        assertThat(stats.writes()).isEqualTo(n);
        assertThat(stats.bytesWritten()).isEqualTo(n * 512);
        assertThat(stats.flushes()).isEqualTo(n);
        assertThat(stats.trims()).isEqualTo(n);
        assertThat(stats.bytesTrimmed()).isEqualTo(n << 20);
        assertThat(stats.zeroes()).isEqualTo(n);
        assertThat(stats.bytesZeroed()).isEqualTo(n * 8192);
        assertThat(stats.errors()).isEqualTo(n);
    }

    @Test
    void startsAtZeroAndSaysWhatItCounted() {
        IoStats stats = new IoStats();
        assertThat(stats.toString()).isEqualTo("reads 0 (0 bytes), writes 0 (0 bytes), flushes 0, trims 0 (0 bytes), "
                + "zeroes 0 (0 bytes), errors 0");
        stats.countRead(10);
        assertThat(stats.toString()).startsWith("reads 1 (10 bytes)");
    }
}
