package org.diskfarm.cli;

/** A command failed for a reason the user can act on; {@link ErrorHandler} prints the message as it is. */
final class CommandFailure extends RuntimeException {
    CommandFailure(String message) {
        super(message);
    }

    CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
