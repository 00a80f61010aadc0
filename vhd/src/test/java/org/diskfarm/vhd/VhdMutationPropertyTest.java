package org.diskfarm.vhd;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A seeded property test over damaged VHD files, run in every {@code mvn test}: thousands of valid files damaged in
 * their metadata by {@link VhdMutator} (bit flips, boundary values, truncation; checksums fixed most of the time)
 * must each open, read and check cleanly or fail with a one-line StorageException, as {@link VhdRobustness} states.
 *
 * <p>The seed is random per run and printed in the failure message; replay with
 * {@code -Dvhd.mutation.seed=S} (all cases) or add {@code -Dvhd.mutation.only=I} (one case). The count is
 * {@code -Dvhd.mutation.count=N} (default 3,000); the run also stops after {@link #TIME_BUDGET}. It goes on after a
 * failure and reports up to {@link #MAX_REPORTED} distinct ones, so one bug does not hide the others.
 */
class VhdMutationPropertyTest {
    static final int DEFAULT_COUNT = 3_000;
    static final Duration TIME_BUDGET = Duration.ofSeconds(90);
    static final int MAX_REPORTED = 12;

    @Test
    void damagedMetadataNeverEscapesAsAnythingButOneLineStorageErrors() {
        long seed = Long.getLong("vhd.mutation.seed", new Random().nextLong());
        int count = Integer.getInteger("vhd.mutation.count", DEFAULT_COUNT);
        Integer only = Integer.getInteger("vhd.mutation.only");
        VhdMutator.Templates templates = VhdMutator.Templates.get();

        Map<String, String> distinct = new LinkedHashMap<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        List<AssertionError> failures = new ArrayList<>();
        long deadline = System.nanoTime() + TIME_BUDGET.toNanos();
        int ran = 0;
        for (int i = only != null ? only : 0; i < (only != null ? only + 1 : count); i++) {
            if (System.nanoTime() > deadline) {
                break;
            }
            Random random = new Random(seed ^ (0x9E3779B97F4A7C15L * (i + 1)));
            VhdMutator.Case c;
            try {
                c = VhdMutator.damage(templates, choices(random), 3);
            } catch (RuntimeException e) {
                throw new IllegalStateException("the mutator itself failed on seed " + seed + " case " + i, e);
            }
            String context = "seed " + seed + " case " + i + ": " + c.description();
            ran++;
            try {
                outcomes.merge(VhdRobustness.assertHandlesCleanly(c.open(), c.files(), c.names(), context), 1,
                        Integer::sum);
            } catch (AssertionError e) {
                failures.add(e);
                distinct.putIfAbsent(signature(e), e.getMessage());
                if (distinct.size() >= MAX_REPORTED) {
                    break;
                }
            }
        }
        System.out.printf("VhdMutationPropertyTest: seed %d, %d cases, %d failed; outcomes %s%n", seed, ran,
                failures.size(), outcomes);
        if (!failures.isEmpty()) {
            StringBuilder message = new StringBuilder()
                    .append(failures.size()).append(" of ").append(ran).append(" damaged files were mishandled (seed ")
                    .append(seed).append("; replay: -Dvhd.mutation.seed=").append(seed)
                    .append(" -Dvhd.mutation.only=<case>). Distinct failures:");
            distinct.values().forEach(m -> message.append("\n  - ").append(m));
            AssertionError error = new AssertionError(message.toString(), failures.getFirst());
            failures.stream().skip(1).limit(MAX_REPORTED).forEach(error::addSuppressed);
            throw error;
        }
        if (ran == 0) {
            fail("no case ran");
        }
    }

    /** Failures with the same kind of cause thrown from the same place count as one. */
    private static String signature(AssertionError e) {
        Throwable cause = e.getCause();
        if (cause == null) {
            String m = String.valueOf(e.getMessage());
            int input = m.indexOf("; input:");
            return (input > 0 ? m.substring(0, input) : m).replaceAll("[0-9]+", "N");
        }
        StackTraceElement[] trace = cause.getStackTrace();
        return cause.getClass().getName() + (trace.length > 0 ? "@" + trace[0] : "");
    }

    static VhdMutator.Choices choices(Random random) {
        return new VhdMutator.Choices() {
            @Override
            public int pick(int bound) {
                return bound <= 1 ? 0 : random.nextInt(bound);
            }

            @Override
            public long anyLong() {
                return random.nextLong();
            }

            @Override
            public boolean chance(int percent) {
                return random.nextInt(100) < percent;
            }
        };
    }
}
