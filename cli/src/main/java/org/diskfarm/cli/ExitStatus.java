package org.diskfarm.cli;

/**
 * The exit statuses of {@code diskfarm}: one per class of failure, so that a script can tell "no such device" from
 * "wrong token" from "server down" without reading the message.
 */
final class ExitStatus {
    static final int OK = 0;
    /** The operation failed: bad input the server refused (HTTP 400), a file problem, anything else. */
    static final int FAILED = 1;
    /** A usage error, found by picocli or by a command before it does anything. */
    static final int USAGE = 2;
    /** The farm has no such server, store, vDisk, device or collection (HTTP 404). */
    static final int NOT_FOUND = 3;
    /** The change conflicts with the farm's state: a duplicate, something still in use, a server still up (409). */
    static final int CONFLICT = 4;
    /** The API token is missing or wrong (HTTP 401), or reads need it from this address (403). */
    static final int NOT_AUTHORIZED = 5;
    /** The server cannot be reached, or answers that the farm database is unreachable (503). */
    static final int UNREACHABLE = 6;

    /** The footer line of {@code diskfarm --help}; docs/cli.md says the same. */
    static final String SUMMARY = "Exit status: 0 success, 1 the operation failed, 2 usage error, 3 not found, "
            + "4 conflict, 5 not authorized (API token), 6 server unreachable or its farm database down.";

    private ExitStatus() {
    }
}
