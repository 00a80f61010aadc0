package org.diskfarm.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSizeTest {
    @Test
    void parsesBytesAndBinaryUnitsInEverySpelling() {
        assertThat(ByteSize.parse("4096")).isEqualTo(4096);
        assertThat(ByteSize.parse("512B")).isEqualTo(512);
        assertThat(ByteSize.parse("1K")).isEqualTo(1024);
        assertThat(ByteSize.parse("64M")).isEqualTo(64L << 20);
        assertThat(ByteSize.parse("64MiB")).isEqualTo(64L << 20);
        assertThat(ByteSize.parse("64MB")).isEqualTo(64L << 20);
        assertThat(ByteSize.parse("4gib")).isEqualTo(4L << 30);
        assertThat(ByteSize.parse(" 2 T ")).isEqualTo(2L << 40);
    }

    @Test
    void rejectsWhatIsNotASize() {
        for (String text : new String[] {"", "G", "1.5G", "-1", "4X", "4GiBs", "4 Gigs", "0x10"}) {
            assertThatThrownBy(() -> ByteSize.parse(text)).as(text)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a size");
        }
    }

    @Test
    void rejectsOverflow() {
        assertThatThrownBy(() -> ByteSize.parse("9999999999E")).hasMessageContaining("too large");
        assertThatThrownBy(() -> ByteSize.parse("99999999999999999999")).hasMessageContaining("too large");
    }

    @Test
    void formatIsExactAndParsesBack() {
        assertThat(ByteSize.format(4L << 30)).isEqualTo("4GiB");
        assertThat(ByteSize.format(1536L << 10)).isEqualTo("1536KiB");
        assertThat(ByteSize.format(1000)).isEqualTo("1000");
        assertThat(ByteSize.format(0)).isEqualTo("0");
        for (long size : new long[] {1, 512, 1000, 4096, 3L << 20, (5L << 40) + 512, Long.MAX_VALUE}) {
            assertThat(ByteSize.parse(ByteSize.format(size))).isEqualTo(size);
        }
    }

    @Test
    void humanShowsWholeUnitsOrTwoDecimals() {
        assertThat(ByteSize.human(0)).isEqualTo("0 bytes");
        assertThat(ByteSize.human(1)).isEqualTo("1 byte");
        assertThat(ByteSize.human(1023)).isEqualTo("1023 bytes");
        assertThat(ByteSize.human(64L << 20)).isEqualTo("64 MiB");
        assertThat(ByteSize.human(1536L << 20)).isEqualTo("1.50 GiB");
        assertThat(ByteSize.human(1L << 40)).isEqualTo("1 TiB");
    }
}
