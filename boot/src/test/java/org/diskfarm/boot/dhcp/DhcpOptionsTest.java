package org.diskfarm.boot.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link DhcpOptions}: order, values, and RFC 3396 long options on the wire. */
class DhcpOptionsTest {

    @Test
    void valueOver255BytesIsSentAsConsecutiveInstancesAndJoinedBack() {
        byte[] value = new byte[600];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        DhcpOptions options = DhcpOptions.builder().put(200, value).build();
        ByteBuffer wire = ByteBuffer.allocate(options.encodedSize());

        options.encodeTo(wire);

        byte[] w = wire.array();
        assertThat(w).hasSize(2 + 255 + 2 + 255 + 2 + 90 + 1);
        assertThat(new int[] {w[0] & 0xff, w[1] & 0xff, w[257] & 0xff, w[258] & 0xff, w[514] & 0xff, w[515] & 0xff})
                .containsExactly(200, 255, 200, 255, 200, 90);
        assertThat(w[w.length - 1] & 0xff).isEqualTo(DhcpOptionCodes.END);
        DhcpPacket p = DhcpPacket.decode(DhcpPacket.builder().options(options).build().encode());
        assertThat(p.options().get(200)).hasValueSatisfying(v -> assertThat(v).isEqualTo(value));
    }

    @Test
    void emptyValueIsOneInstanceOfLengthZero() {
        DhcpOptions options = DhcpOptions.builder().put(80, new byte[0]).build();

        assertThat(options.encodedSize()).isEqualTo(3);
        DhcpPacket p = DhcpPacket.decode(DhcpPacket.builder().options(options).build().encode());
        assertThat(p.options().get(80)).hasValueSatisfying(v -> assertThat(v).isEmpty());
    }

    @Test
    void codesKeepTheOrderTheyWereFirstPut() {
        DhcpOptions options = DhcpOptions.builder().putByte(53, 1).putText(60, "PXEClient").putByte(53, 3).build();

        assertThat(options.codes()).containsExactly(53, 60);
        assertThat(options.get(53)).hasValueSatisfying(v -> assertThat(v).containsExactly(3));
    }

    @Test
    void framingCodesAreNotValues() {
        for (int code : new int[] {DhcpOptionCodes.PAD, DhcpOptionCodes.END, DhcpOptionCodes.OVERLOAD, -1, 256}) {
            assertThatThrownBy(() -> DhcpOptions.builder().put(code, new byte[1]))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void valuesAreCopiedInAndOut() {
        byte[] value = {1, 2, 3};
        DhcpOptions options = DhcpOptions.builder().put(200, value).build();
        value[0] = 9;
        options.get(200).orElseThrow()[1] = 9;

        assertThat(options.get(200)).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 3));
    }

    @Test
    void equalityIsByCodesOrderAndContent() {
        DhcpOptions a = DhcpOptions.builder().putByte(53, 1).putText(60, "PXEClient").build();
        DhcpOptions same = DhcpOptions.builder().putByte(53, 1).putText(60, "PXEClient").build();
        DhcpOptions reordered = DhcpOptions.builder().putText(60, "PXEClient").putByte(53, 1).build();

        assertThat(a).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(reordered);
        assertThat(a.toBuilder().remove(60).build()).isNotEqualTo(a);
        assertThat(a).hasToString("{53=01 60=505845436c69656e74}");
    }
}
