package org.diskfarm.block;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Zero detection for the copy paths: a dynamic disk stores no all-zero runs. */
public final class Zeros {
    private Zeros() {
    }

    /** True if every remaining byte of {@code buffer} is zero; does not move its position. */
    public static boolean isAllZero(ByteBuffer buffer) {
        int position = buffer.position();
        int limit = buffer.limit();
        ByteBuffer longs = buffer.duplicate().order(ByteOrder.nativeOrder());
        int i = position;
        for (; i + 8 <= limit; i += 8) {
            if (longs.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < limit; i++) {
            if (buffer.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
