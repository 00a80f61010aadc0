package org.diskfarm.boot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.diskfarm.boot.dhcp.PxePackets.ip;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link TransactionAnswers}: one policy answer per (MAC, xid) while it lives. */
class ProxyDhcpTransactionsTest {
    private Instant now = Instant.parse("2026-01-01T08:00:00Z");
    private final TransactionAnswers answers = new TransactionAnswers(() -> now);
    private final AtomicInteger asked = new AtomicInteger();

    private Optional<BootAnswer> ask(String mac, int xid) {
        return answers.answer(mac, xid, () -> Optional.of(BootAnswer.of("file" + asked.incrementAndGet(),
                ip("10.0.0.5"))));
    }

    @Test
    void sameTransactionGetsTheFirstAnswer() {
        assertThat(ask("m", 1).orElseThrow().bootFileName()).isEqualTo("file1");
        assertThat(ask("m", 1).orElseThrow().bootFileName()).isEqualTo("file1");
        assertThat(asked).hasValue(1);
    }

    @Test
    void anotherXidOrAnotherMacIsAnotherTransaction() {
        ask("m", 1);
        ask("m", 2);
        ask("n", 1);

        assertThat(asked).hasValue(3);
    }

    @Test
    void noAnswerIsRememberedToo() {
        answers.answer("m", 1, () -> {
            asked.incrementAndGet();
            return Optional.empty();
        });

        assertThat(ask("m", 1)).isEmpty();
        assertThat(asked).hasValue(1);
    }

    @Test
    void anExpiredTransactionIsAskedAgain() {
        ask("m", 1);
        now = now.plus(TransactionAnswers.TTL);

        assertThat(ask("m", 1).orElseThrow().bootFileName()).isEqualTo("file2");
    }

    @Test
    void atMostMaxEntriesAreKept() {
        for (int xid = 0; xid <= TransactionAnswers.MAX_ENTRIES; xid++) {
            ask("m", xid);
        }
        ask("m", 0);

        assertThat(asked).hasValue(TransactionAnswers.MAX_ENTRIES + 2);
    }
}
