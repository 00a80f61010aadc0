package org.diskfarm.iscsi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.diskfarm.block.StorageException;

/**
 * Text Requests of one session (RFC 7143 sections 11.10-11.11): requests spread over PDUs with the C bit, SendTargets
 * (the only key we answer; discovery sessions list every target, normal ones their own), and responses longer than
 * the initiator's MaxRecvDataSegmentLength sent in parts, each asked for with our Target Transfer Tag.
 */
final class TextExchange {
    private final IscsiSession session;
    // A text response longer than the initiator takes in one PDU
    private byte[] textRest;
    private int textTtt = Pdu.RESERVED_TAG;
    private final java.io.ByteArrayOutputStream textIn = new java.io.ByteArrayOutputStream();

    TextExchange(IscsiSession session) {
        this.session = session;
    }

    void text(Pdu pdu) {
        IscsiConnection connection = session.connection();
        int ttt = pdu.u32(20);
        if (ttt != Pdu.RESERVED_TAG) {
            if (ttt != textTtt || textRest == null) {
                connection.reject(pdu, Pdu.REJECT_INVALID_FIELD);
                return;
            }
            sendText(pdu, textRest);
            return;
        }
        textRest = null;
        if (textIn.size() + pdu.data.length > LoginNegotiation.MAX_TEXT) {
            connection.fail("text request beyond " + LoginNegotiation.MAX_TEXT + " bytes");
            return;
        }
        textIn.writeBytes(pdu.data);
        if ((pdu.flags() & 0x40) != 0) { // C: more text follows
            Pdu r = Pdu.of(Pdu.TEXT_RESPONSE).lun(pdu.lun()).itt(pdu.itt()).u32(20, Pdu.RESERVED_TAG);
            connection.send(r, null, true);
            return;
        }
        List<Map.Entry<String, String>> keys;
        try {
            keys = TextKeys.parse(textIn.toByteArray());
        } catch (IscsiProtocolException e) {
            textIn.reset();
            connection.reject(pdu, Pdu.REJECT_PROTOCOL_ERROR);
            return;
        }
        textIn.reset();
        List<Map.Entry<String, String>> reply = new ArrayList<>();
        for (Map.Entry<String, String> k : keys) {
            if (k.getKey().equals("SendTargets")) {
                sendTargets(k.getValue(), reply);
            } else {
                reply.add(Map.entry(k.getKey(), "NotUnderstood"));
            }
        }
        sendText(pdu, TextKeys.encode(reply));
    }

    private void sendTargets(String which, List<Map.Entry<String, String>> reply) {
        List<String> names;
        if (which.equals("All")) {
            names = session.discovery() ? session.context.targets().names() : List.of(session.target.name());
        } else if (which.isEmpty()) {
            names = session.discovery() ? List.of() : List.of(session.target.name());
        } else {
            Optional<IscsiTargetInfo> found;
            try {
                found = session.context.targets().lookup(which.toLowerCase(Locale.ROOT));
            } catch (StorageException e) {
                found = Optional.empty();
            }
            names = found.map(info -> List.of(info.name())).orElse(List.of());
        }
        String address = session.connection().portal();
        for (String name : names) {
            reply.add(Map.entry("TargetName", name));
            reply.add(Map.entry("TargetAddress", address + "," + LoginNegotiation.TARGET_PORTAL_GROUP_TAG));
        }
    }

    private void sendText(Pdu request, byte[] text) {
        int n = Math.min(text.length, session.params.initiatorMaxRecv);
        boolean more = n < text.length;
        Pdu r = Pdu.of(Pdu.TEXT_RESPONSE).flags(more ? 0x40 : 0x80).lun(request.lun()).itt(request.itt());
        if (more) {
            textTtt = session.nextTtt();
            textRest = java.util.Arrays.copyOfRange(text, n, text.length);
            r.u32(20, textTtt);
        } else {
            textTtt = Pdu.RESERVED_TAG;
            textRest = null;
            r.u32(20, Pdu.RESERVED_TAG);
        }
        session.connection().send(r, n == 0 ? null : ByteBuffer.wrap(text, 0, n), true);
    }
}
