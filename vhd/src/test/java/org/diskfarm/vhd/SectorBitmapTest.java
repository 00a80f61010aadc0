package org.diskfarm.vhd;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SectorBitmapTest {

    @Test
    void firstSectorIsTheMostSignificantBitOfTheFirstByte() {
        byte[] bitmap = new byte[512];
        SectorBitmap.set(bitmap, 0, 1, true);
        assertThat(bitmap[0]).isEqualTo((byte) 0x80);
        SectorBitmap.set(bitmap, 9, 10, true);
        assertThat(bitmap[1]).isEqualTo((byte) 0x40);
    }

    @Test
    void runEndStopsAtTheFirstDifferentBit() {
        byte[] bitmap = new byte[512];
        SectorBitmap.set(bitmap, 3, 100, true);
        assertThat(SectorBitmap.runEnd(bitmap, 0, 4096)).isEqualTo(3);
        assertThat(SectorBitmap.runEnd(bitmap, 3, 4096)).isEqualTo(100);
        assertThat(SectorBitmap.runEnd(bitmap, 50, 60)).isEqualTo(60);
        assertThat(SectorBitmap.runEnd(bitmap, 100, 4096)).isEqualTo(4096);
    }

    @Test
    void setReportsWhetherAnythingChanged() {
        byte[] bitmap = new byte[512];
        assertThat(SectorBitmap.set(bitmap, 5, 9, true)).isTrue();
        assertThat(SectorBitmap.set(bitmap, 5, 9, true)).isFalse();
        assertThat(SectorBitmap.all(bitmap, 5, 9, true)).isTrue();
        assertThat(SectorBitmap.all(bitmap, 4, 9, true)).isFalse();
    }
}
