package org.diskfarm.farm;

/**
 * A farm operation that cannot be done, with a one-line reason written for administrators. The kind says what the
 * caller should do about it, and maps one to one to an HTTP status in the API and an exit code in the CLI.
 */
public final class FarmException extends RuntimeException {
    /** Why an operation failed. */
    public enum Kind {
        /** The request itself is wrong: a malformed MAC, an unknown mode, a path that is not a writable folder. */
        INVALID,
        /** It names something the farm does not know. */
        NOT_FOUND,
        /** It contradicts the farm's state: a duplicate, something still in use, a server that is up. */
        CONFLICT,
        /** The farm database cannot be reached; nothing was changed. */
        UNAVAILABLE
    }

    private final Kind kind;

    public FarmException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public FarmException(Kind kind, String message, Throwable cause) {
        super(message, cause, false, true);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static FarmException invalid(String message) {
        return new FarmException(Kind.INVALID, message);
    }

    static FarmException notFound(String message) {
        return new FarmException(Kind.NOT_FOUND, message);
    }

    static FarmException conflict(String message) {
        return new FarmException(Kind.CONFLICT, message);
    }
}
