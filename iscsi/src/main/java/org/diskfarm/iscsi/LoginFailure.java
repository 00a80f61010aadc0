package org.diskfarm.iscsi;

/** A refusal of a login with a login status code (RFC 7143 section 11.13.5) and a reason for the log. */
final class LoginFailure extends RuntimeException {
    final int status;

    LoginFailure(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }
}
