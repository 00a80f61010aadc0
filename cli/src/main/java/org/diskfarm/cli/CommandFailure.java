package org.diskfarm.cli;

/**
 * A command failed for a reason the user can act on; {@link ErrorHandler} prints the message as it is and exits with
 * {@link #exitStatus()} ({@link ExitStatus#FAILED} unless the failure is of a class scripts tell apart).
 */
final class CommandFailure extends RuntimeException {
    private final int exitStatus;

    CommandFailure(String message) {
        this(ExitStatus.FAILED, message);
    }

    CommandFailure(String message, Throwable cause) {
        super(message, cause);
        this.exitStatus = ExitStatus.FAILED;
    }

    CommandFailure(int exitStatus, String message) {
        super(message);
        this.exitStatus = exitStatus;
    }

    int exitStatus() {
        return exitStatus;
    }
}
