package org.diskfarm.farm;

import java.util.List;

/**
 * One page of a long list: the items from {@code offset}, at most {@code limit} of them, and how many there are in
 * all pages.
 */
public record Page<T>(List<T> items, long total, int limit, int offset) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public Page {
        items = List.copyOf(items);
    }

    /** True if items follow this page. */
    public boolean hasNext() {
        return offset + (long) items.size() < total;
    }

    /** Checks a requested window. */
    public static void check(int limit, int offset) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw FarmException.invalid("limit must be 1 to " + MAX_LIMIT + ": " + limit);
        }
        if (offset < 0) {
            throw FarmException.invalid("offset must be 0 or more: " + offset);
        }
    }
}
