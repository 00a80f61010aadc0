package org.diskfarm.cli;

import java.io.Console;

/** What the command knows about where its output goes. */
final class Terminal {
    private Terminal() {
    }

    /** True if standard output is a terminal a person watches: then, and only then, progress bars are shown. */
    static boolean isInteractive() {
        Console console = System.console();
        return console != null && console.isTerminal();
    }
}
