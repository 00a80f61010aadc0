package org.diskfarm.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.SelectStrategy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The poll-then-sleep decisions, on a clock and an event count the test controls. */
class PollingSelectStrategyTest {
    private static final long WINDOW = 50_000;

    private long now = 1_000_000;
    private int ready;
    private final PollingSelectStrategy strategy = new PollingSelectStrategy(WINDOW, () -> now);

    private int next(boolean hasTasks) throws Exception {
        return strategy.calculateStrategy(() -> ready, hasTasks);
    }

    private int next() throws Exception {
        return next(false);
    }

    /** Runs dry once with nothing arriving: polls through the window, then sleeps. */
    private void pollInVain() throws Exception {
        assertEquals(SelectStrategy.CONTINUE, next());
        now += WINDOW;
        assertEquals(SelectStrategy.SELECT, next());
    }

    @Test
    void readyEventsAreHandedToTheLoopAtOnce() throws Exception {
        ready = 3;
        assertEquals(3, next());
    }

    @Test
    void pendingTasksNeverPollNorSleep() throws Exception {
        assertEquals(0, next(true));
        assertEquals(0, next(true));
    }

    @Test
    void anIdleLoopPollsForTheWindowThenSleeps() throws Exception {
        assertEquals(SelectStrategy.CONTINUE, next());
        now += WINDOW - 1;
        assertEquals(SelectStrategy.CONTINUE, next());
        now += 1;
        assertEquals(SelectStrategy.SELECT, next());
    }

    @Test
    void workFoundWhilePollingIsServedAndTheNextIdleSpellPollsAgain() throws Exception {
        assertEquals(SelectStrategy.CONTINUE, next());
        now += WINDOW / 2;
        ready = 1;
        assertEquals(1, next());
        ready = 0;
        assertEquals(SelectStrategy.CONTINUE, next());
    }

    @Test
    void aPollInVainMakesTheNextIdleSpellsSleepAtOnceDoublingUpToTheLimit() throws Exception {
        int expectedSleeps = 1;
        for (int round = 0; round < 10; round++) {
            pollInVain();
            for (int i = 0; i < expectedSleeps; i++) {
                assertEquals(SelectStrategy.SELECT, next(), "round " + round + ", sleep " + i);
            }
            expectedSleeps = Math.min(expectedSleeps * 2, PollingSelectStrategy.MAX_BACKOFF);
        }
    }

    @Test
    void aSuccessfulPollResetsTheBackOff() throws Exception {
        pollInVain();
        assertEquals(SelectStrategy.SELECT, next());
        pollInVain();
        assertEquals(SelectStrategy.SELECT, next());
        assertEquals(SelectStrategy.SELECT, next());
        assertEquals(SelectStrategy.CONTINUE, next());
        ready = 1;
        assertEquals(1, next());
        ready = 0;
        pollInVain();
        assertEquals(SelectStrategy.SELECT, next());
        assertEquals(SelectStrategy.CONTINUE, next(), "after one sleep the loop polls again");
    }

    @Test
    void tasksThatArriveWhilePollingCountAsWork() throws Exception {
        pollInVain();
        assertEquals(SelectStrategy.SELECT, next());
        assertEquals(SelectStrategy.CONTINUE, next());
        assertEquals(0, next(true));
        pollInVain();
        assertEquals(SelectStrategy.SELECT, next());
        assertEquals(SelectStrategy.CONTINUE, next(), "the back-off restarted at one sleep");
    }

    @Test
    void aZeroWindowIsNettysDefaultStrategy() {
        assertSame(DefaultSelectStrategyFactory.INSTANCE, PollingSelectStrategy.factory(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new PollingSelectStrategy(0, () -> now));
    }

    @Test
    void theWindowIsBoundedToTenMilliseconds() {
        assertThrows(IllegalArgumentException.class,
                () -> PollingSelectStrategy.requireWindow(Duration.ofMillis(10).plusNanos(1)));
        assertThrows(IllegalArgumentException.class, () -> PollingSelectStrategy.requireWindow(Duration.ofNanos(-1)));
        assertThrows(IllegalArgumentException.class, () -> PollingSelectStrategy.factory(Duration.ofMillis(11)));
        assertEquals(Duration.ofMillis(10), PollingSelectStrategy.requireWindow(Duration.ofMillis(10)));
        assertEquals(Duration.ZERO, PollingSelectStrategy.requireWindow(Duration.ZERO));
    }
}
