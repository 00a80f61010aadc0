package org.diskfarm.vhd;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.file.Path;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the VHD parsers with Jazzer. Each test states the property of {@link VhdRobustness}:
 * whatever the bytes, opening, reading, listing extents and checking a file fails only with a one-line
 * StorageException that names the file, never writes, never leaks a file, never allocates or loops without bound.
 *
 * <p>In a plain {@code mvn test} Jazzer runs each test once per committed input in
 * {@code src/test/resources/org/diskfarm/vhd/VhdFuzzTestInputs/<method>/} (and once with an empty input): those are
 * the regression cases. {@code JAZZER_FUZZ=1 mvn -o -pl vhd test -Dtest='VhdFuzzTest#<method>'} fuzzes one test for
 * {@code maxDuration}; a finding is written into that directory and, once fixed, committed there. See
 * docs/testing.md.
 *
 * <ul>
 *   <li>{@link #damagedImagesFailCleanly}: valid files (dynamic, fixed, differencing child and its parent) with
 *       fuzzer-chosen edits in their metadata, through {@link VhdMutator}; the fuzzer drives the same edits the
 *       property test draws at random, but steers them towards new code paths.</li>
 *   <li>{@link #rawBytesFailCleanly}: the fuzzer's bytes are the whole file (seeded with tiny valid files).</li>
 * </ul>
 */
class VhdFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void damagedImagesFailCleanly(FuzzedDataProvider data) {
        VhdMutator.Case c = VhdMutator.damage(VhdMutator.Templates.get(), choices(data), 6);
        VhdRobustness.assertHandlesCleanly(c.open(), c.files(), c.names(), c.description());
    }

    @FuzzTest(maxDuration = "5m")
    void rawBytesFailCleanly(byte[] input) {
        Path file = VhdMutator.Templates.get().dir.resolve("raw.vhd");
        InMemoryVhdFiles files = new InMemoryVhdFiles().put(file, input);
        VhdRobustness.assertHandlesCleanly(file, files, Set.of("raw.vhd"), input.length + " raw bytes");
    }

    private static VhdMutator.Choices choices(FuzzedDataProvider data) {
        return new VhdMutator.Choices() {
            @Override
            public int pick(int bound) {
                return bound <= 1 ? 0 : data.consumeInt(0, bound - 1);
            }

            @Override
            public long anyLong() {
                return data.consumeLong();
            }

            @Override
            public boolean chance(int percent) {
                return data.consumeInt(0, 99) < percent;
            }
        };
    }
}
