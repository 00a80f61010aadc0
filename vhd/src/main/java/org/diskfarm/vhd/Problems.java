package org.diskfarm.vhd;

import org.diskfarm.block.StorageException;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the structure readers send what they find wrong. Opening a file uses {@link #throwing}: the first error ends
 * the open with a one-line {@link StorageException} naming the file. The checker uses {@link #collecting}: every
 * problem is listed, and reading stops only where it cannot go on.
 */
abstract class Problems {
    /** Thrown by a collecting sink where reading cannot continue; the checker catches it. */
    static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    /** Most problems listed for one file: a damaged BAT would otherwise list thousands. */
    static final int LIMIT = 50;

    abstract void error(String where, String what);

    abstract void warning(String where, String what);

    /** Ends reading if errors were found (collecting sink); the throwing sink never gets here with errors. */
    abstract void stopIfFailed();

    static Problems throwing(String file) {
        return new Problems() {
            @Override
            void error(String where, String what) {
                throw StorageException.corrupt(file + ": " + (where.isEmpty() ? "" : where + ": ") + what);
            }

            @Override
            void warning(String where, String what) {
            }

            @Override
            void stopIfFailed() {
            }
        };
    }

    static Collecting collecting() {
        return new Collecting();
    }

    static final class Collecting extends Problems {
        private final List<VhdProblem> found = new ArrayList<>();
        private boolean failed;

        @Override
        void error(String where, String what) {
            failed = true;
            add(VhdProblem.error(where, what));
        }

        @Override
        void warning(String where, String what) {
            add(VhdProblem.warning(where, what));
        }

        private void add(VhdProblem problem) {
            if (found.size() < LIMIT) {
                found.add(problem);
            } else if (found.size() == LIMIT) {
                found.add(VhdProblem.warning("", "more problems not listed"));
            }
        }

        @Override
        void stopIfFailed() {
            if (failed) {
                throw new Stop();
            }
        }

        List<VhdProblem> problems() {
            return found;
        }
    }
}
