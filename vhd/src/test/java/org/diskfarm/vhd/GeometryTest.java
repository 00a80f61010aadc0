package org.diskfarm.vhd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class GeometryTest {

    /** Values worked through the specification's CHS algorithm by hand, one per branch. */
    @ParameterizedTest
    @CsvSource({
            // sectors, cylinders, heads, sectors per track
            "20480, 301, 4, 17",          // 10 MiB: the 17-sector branch, heads raised to 4
            "400000, 806, 16, 31",        // too many heads for 17, the 31-sector branch
            "2097152, 2080, 16, 63",      // 1 GiB: too many cylinders for 31 too
            "8388608, 8322, 16, 63",      // 4 GiB: the 63-sector branch
            "209715200, 51400, 16, 255",  // 100 GiB: past 65535*16*63, 255 sectors per track
            "267382800, 65535, 16, 255"   // the largest geometry
    })
    void geometryFollowsTheSpecificationsAlgorithm(long sectors, int cylinders, int heads, int perTrack) {
        assertThat(Geometry.forSectors(sectors)).isEqualTo(new Geometry(cylinders, heads, perTrack));
    }

    @Test
    void sizesPastTheLargestGeometryGetTheLargestGeometry() {
        assertThat(Geometry.forSectors(Geometry.MAX.sectors() * 4)).isEqualTo(Geometry.MAX);
    }

    @Test
    void roundedSizeIsExactlyAddressedByItsGeometry() {
        for (long requested = 1; requested < (64L << 20); requested = requested * 3 + 1234567) {
            long rounded = Vhd.roundedSize(requested);
            assertThat(rounded).isGreaterThanOrEqualTo(requested);
            assertThat(Geometry.forSectors(rounded / 512).sectors() * 512).isEqualTo(rounded);
        }
    }

    @Test
    void roundedSizeOfHugeDisksIsWholeSectors() {
        long requested = 1L << 40;
        assertThat(Vhd.roundedSize(requested)).isEqualTo(requested);
        assertThat(Vhd.roundedSize(requested - 100)).isEqualTo(requested);
    }
}
