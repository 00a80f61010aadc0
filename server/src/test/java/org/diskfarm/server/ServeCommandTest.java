package org.diskfarm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServeCommandTest {
    @Test
    void pollWindowsAreWrittenInMicrosecondsOrMilliseconds() {
        assertEquals(Duration.ofNanos(50_000), ServeCommand.micros("--nbd-poll-window", "50us"));
        assertEquals(Duration.ofMillis(2), ServeCommand.micros("--nbd-poll-window", "2ms"));
        assertEquals(Duration.ofNanos(20_000), ServeCommand.micros("--nbd-poll-window", " 20 US "));
        assertEquals(Duration.ZERO, ServeCommand.micros("--nbd-poll-window", "off"));
        assertEquals(Duration.ZERO, ServeCommand.micros("--nbd-poll-window", "0"));
    }

    @Test
    void anythingElseIsRefusedWithTheOptionNamed() {
        for (String bad : new String[] {"50", "us", "-5us", "1.5ms", "50 s", "9999999us", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ServeCommand.micros("--nbd-poll-window", bad), bad);
            assertEquals("--nbd-poll-window: \"" + bad + "\" is not a time such as 50us or 1ms (or off)",
                    e.getMessage());
        }
    }
}
