package org.diskfarm.farm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MacAddressTest {
    private static final MacAddress MAC = new MacAddress(0x5254_0012_34ABL);

    @Test
    void colonsDashesAndBareDigitsInEitherCaseParseToTheSameAddress() {
        for (String text : new String[] {"52:54:00:12:34:ab", "52:54:00:12:34:AB", "52-54-00-12-34-ab",
                "52-54-00-12-34-AB", "5254001234ab", "5254001234AB", "5254001234Ab"}) {
            assertThat(MacAddress.parse(text)).as(text).isEqualTo(MAC);
            assertThat(MacAddress.tryParse(text)).as(text).contains(MAC);
        }
    }

    @Test
    void isWrittenLowerCaseWithColonsOrBare() {
        assertThat(MAC.toString()).isEqualTo("52:54:00:12:34:ab");
        assertThat(MAC.bare()).isEqualTo("5254001234ab");
        assertThat(new MacAddress(1)).hasToString("00:00:00:00:00:01");
        assertThat(new MacAddress(1).bare()).isEqualTo("000000000001");
        assertThat(new MacAddress(0xFFFF_FFFF_FFFFL)).hasToString("ff:ff:ff:ff:ff:ff");
        assertThat(MacAddress.parse(MAC.toString())).isEqualTo(MAC);
        assertThat(MacAddress.parse(MAC.bare())).isEqualTo(MAC);
    }

    @Test
    void otherTextIsNotAMacAddress() {
        for (String text : new String[] {"", "52:54:00:12:34", "52:54:00:12:34:ab:cd", "52:54:00:12:34:a",
                "52:54:00:12:34:abc", "5254001234a", "5254001234abc", "52:54-00:12:34:ab", "52-54-00-12-34:ab",
                "52.54.00.12.34.ab", "52 54 00 12 34 ab", "52:54:00:12:34:ag", "zz54001234ab", "5254:001234ab",
                " 52:54:00:12:34:ab", "+254001234ab", "-254001234ab", "０2:54:00:12:34:ab", "５２５４００１２３４ａｂ",
                "5254001234\u0661\u0662"}) {
            assertThat(MacAddress.tryParse(text)).as(text).isEmpty();
            assertThatThrownBy(() -> MacAddress.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + text + "'");
        }
    }

    @Test
    void moreThan48BitsAreRejected() {
        assertThatThrownBy(() -> new MacAddress(1L << 48)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MacAddress(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void addressesOrderByTheirNumber() {
        List<MacAddress> macs = new ArrayList<>(List.of(MacAddress.parse("ff:00:00:00:00:00"),
                MacAddress.parse("00:00:00:00:00:02"), MacAddress.parse("0a:00:00:00:00:00"),
                MacAddress.parse("00:00:00:00:00:01")));
        Collections.sort(macs);
        assertThat(macs).extracting(MacAddress::toString).containsExactly("00:00:00:00:00:01",
                "00:00:00:00:00:02", "0a:00:00:00:00:00", "ff:00:00:00:00:00");
        assertThat(MAC.compareTo(MacAddress.parse("52-54-00-12-34-AB"))).isZero();
    }
}
