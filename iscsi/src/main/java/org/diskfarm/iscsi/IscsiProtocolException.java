package org.diskfarm.iscsi;

/** A PDU stream that cannot go on: framing lost, a header digest error, a protocol rule broken at ERL 0. */
final class IscsiProtocolException extends RuntimeException {
    IscsiProtocolException(String message) {
        super(message, null, false, false);
    }
}
