package org.diskfarm.iscsi.scsi;

/**
 * A command that ends with a status other than GOOD, thrown from deep inside a handler and turned into a
 * {@link ScsiResponse} by {@link ScsiDisk#execute}; it never leaves the package. No stack trace: it is a return path.
 */
final class ScsiError extends RuntimeException {
    private final int status;
    private final transient byte[] sense;

    private ScsiError(int status, byte[] sense) {
        super(null, null, false, false);
        this.status = status;
        this.sense = sense;
    }

    static ScsiError check(byte[] sense) {
        return new ScsiError(ScsiStatus.CHECK_CONDITION, sense);
    }

    static ScsiError reservationConflict() {
        return new ScsiError(ScsiStatus.RESERVATION_CONFLICT, null);
    }

    static ScsiError invalidField(int cdbByte) {
        return check(Sense.invalidFieldInCdb(cdbByte));
    }

    static ScsiError invalidParameter(int parameterByte) {
        return check(Sense.invalidFieldInParameterList(parameterByte));
    }

    ScsiResponse response() {
        return new ScsiResponse(status, sense, null);
    }
}
