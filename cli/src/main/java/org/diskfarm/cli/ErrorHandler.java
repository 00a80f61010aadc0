package org.diskfarm.cli;

import org.diskfarm.block.StorageException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * Turns an exception from a command into an exit status and one line on stderr, {@code diskfarm: <reason>}. Storage
 * errors, I/O errors and {@link CommandFailure}s carry messages written for users and are shown as they are; anything
 * else is a bug and says so. The status is 1 unless a {@link CommandFailure} carries another ({@link ExitStatus}).
 * With {@code --debug} the stack trace follows.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        err.println("diskfarm: " + reason(ex));
        if (debug(parseResult)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ex instanceof CommandFailure failure ? failure.exitStatus() : ExitStatus.FAILED;
    }

    /** The one-line reason for {@code ex}. */
    static String reason(Throwable ex) {
        Throwable cause = ex instanceof UncheckedIOException unchecked ? unchecked.getCause() : ex;
        String message = firstLine(cause.getMessage());
        return switch (cause) {
            case CommandFailure failure -> message;
            case StorageException storage -> message;
            case IOException io -> message == null ? "I/O error: " + io : "I/O error: " + describeIo(io, message);
            case UnsupportedOperationException unsupported -> "not supported yet"
                    + (message == null ? "" : ": " + message);
            case IllegalArgumentException illegal when message != null -> message;
            default -> "internal error: " + cause.getClass().getName() + (message == null ? "" : ": " + message)
                    + " (run with --debug for details)";
        };
    }

    private static String describeIo(IOException io, String message) {
        return switch (io) {
            case java.nio.file.NoSuchFileException e -> message + ": no such file";
            case java.nio.file.FileAlreadyExistsException e -> message + ": file already exists";
            case java.nio.file.AccessDeniedException e -> message + ": permission denied";
            case java.nio.file.DirectoryNotEmptyException e -> message + ": folder not empty";
            default -> message;
        };
    }

    private static String firstLine(String message) {
        if (message == null) {
            return null;
        }
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
    }

    private static boolean debug(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult at = parseResult; at != null; at = at.subcommand()) {
            if (at.hasMatchedOption(DiskfarmCommand.DEBUG)) {
                return true;
            }
        }
        return false;
    }
}
