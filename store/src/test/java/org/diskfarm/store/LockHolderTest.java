package org.diskfarm.store;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class LockHolderTest {
    private static final LockHolder HOLDER = new LockHolder("srv \"one\"", "C:\\clients\\\"pc01\" \\", "host-a",
            4242, Instant.parse("2025-03-04T05:06:07.123456789Z"), Instant.parse("2025-03-05T00:00:00Z"));

    @Test
    void textRoundTripsIncludingQuotesAndBackslashes() {
        assertThat(LockHolder.parse(HOLDER.toText())).contains(HOLDER);
        LockHolder plain = LockHolder.ofThisProcess("srv1", "10.0.0.7:51234");
        assertThat(LockHolder.parse(plain.toText())).contains(plain);
    }

    @Test
    void textIsCommentedKeyValueLines() {
        assertThat(HOLDER.toText()).startsWith("# ").contains(
                "\nserver = \"srv \\\"one\\\"\"\n", "\nclient = \"C:\\\\clients\\\\\\\"pc01\\\" \\\\\"\n",
                "\nhost = \"host-a\"\n", "\npid = \"4242\"\n", "\nprocess_start = \"2025-03-04T05:06:07.123456789Z\"\n",
                "\nsince = \"2025-03-05T00:00:00Z\"\n");
    }

    @Test
    void handEditedSpacingAndCrlfStillParse() {
        String text = HOLDER.toText().replace(" = ", "=").replace("\n", "\r\n");
        assertThat(LockHolder.parse(text)).contains(HOLDER);
    }

    @Test
    void aFileMissingAKeyOrWithABadValueIsNoHolder() {
        String text = HOLDER.toText();
        for (String key : new String[] {"server", "client", "host", "pid", "process_start", "since"}) {
            String without = text.replaceAll("(?m)^" + key + " = .*\n", "");
            assertThat(without).as(key).isNotEqualTo(text);
            assertThat(LockHolder.parse(without)).as(key).isEmpty();
        }
        assertThat(LockHolder.parse(text.replace("\"4242\"", "\"42x\""))).isEmpty();
        assertThat(LockHolder.parse(text.replace("2025-03-05T00:00:00Z", "yesterday"))).isEmpty();
        assertThat(LockHolder.parse("")).isEmpty();
    }

    @Test
    void describeNamesClientServerHostAndPid() {
        assertThat(HOLDER.describe()).contains("client C:\\clients", "on server srv \"one\"", "host host-a",
                "pid 4242", "since 2025-03-05T00:00:00Z");
    }
}
