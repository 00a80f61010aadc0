package org.diskfarm.cli;

import picocli.CommandLine.Option;

/** {@code -h, --help} for every subcommand (the version option stays on {@code diskfarm} itself). */
final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
}
