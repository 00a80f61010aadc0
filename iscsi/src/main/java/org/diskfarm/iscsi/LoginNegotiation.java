package org.diskfarm.iscsi;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.diskfarm.block.StorageException;

/**
 * The login phase of one connection (RFC 7143 sections 6 and 11.12-11.13) as a state machine without I/O: Login
 * Requests in, Login Responses out. Stages (CSG/NSG, T and C bits), the session's declarations (InitiatorName,
 * SessionType, TargetName), and the status codes of section 11.13.5; the security stage (AuthMethod None or CHAP with
 * MD5, one-way or mutual, per target) is {@link LoginSecurity}'s, the operational keys of section 13 are
 * {@link OperationalKeys}'.
 *
 * <p>The caller sets StatSN on each response; the last response (transit to full feature phase) is returned with
 * {@link Outcome#FULL_FEATURE} and TSIH 0: the caller sets up the session (and may still refuse it with
 * {@link #refuse}) before it sends it.
 */
final class LoginNegotiation {
    static final int SECURITY = 0;
    static final int OPERATIONAL = 1;
    static final int FULL_FEATURE = 3;
    /** Text spread over Login Requests with the C bit: at most this much in all. */
    static final int MAX_TEXT = 65536;
    static final int TARGET_PORTAL_GROUP_TAG = 1;

    enum Outcome { CONTINUE, FAILED, FULL_FEATURE }

    /** One response and what follows it; {@code reason} says why a login failed, for the log. */
    record Step(Pdu response, Outcome outcome, String reason) {
    }

    private final IscsiTargets targets;
    final SessionParams params = new SessionParams();
    private final LoginSecurity security;
    private final OperationalKeys operational = new OperationalKeys(params);

    private boolean first = true;
    private boolean sessionDeclared;
    private int stage;
    private byte[] isid;
    private int tsih;
    private int cid;
    private int cmdSN;
    private Pdu lastRequest;
    private final ByteArrayOutputStream pendingText = new ByteArrayOutputStream();
    private final Set<String> declared = new HashSet<>();

    String initiatorName;
    String initiatorAlias;
    boolean discovery;
    IscsiTargetInfo target;

    LoginNegotiation(IscsiTargets targets, Random random) {
        this.targets = targets;
        this.security = new LoginSecurity(random);
    }

    byte[] isid() {
        return isid.clone();
    }

    int tsih() {
        return tsih;
    }

    int cid() {
        return cid;
    }

    /** The CmdSN of the login: the first ExpCmdSN of the session. */
    int cmdSN() {
        return cmdSN;
    }

    /** One Login Request in, its response out. */
    Step step(Pdu request) {
        lastRequest = request;
        try {
            return consume(request);
        } catch (LoginFailure f) {
            return new Step(failure(request, f.status), Outcome.FAILED, f.getMessage());
        } catch (IscsiProtocolException e) {
            return new Step(failure(request, LoginStatus.INITIATOR_ERROR), Outcome.FAILED, e.getMessage());
        }
    }

    /** A response refusing the login with this status (after {@link Outcome#FULL_FEATURE}, if the session fails). */
    Pdu refuse(int status) {
        return failure(lastRequest, status);
    }

    private Step consume(Pdu request) {
        if (request.opcode() != Pdu.LOGIN_REQUEST) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR,
                    String.format("opcode 0x%02x during login", request.opcode()));
        }
        int flags = request.flags();
        boolean transit = (flags & 0x80) != 0;
        boolean more = (flags & 0x40) != 0;
        int csg = (flags >> 2) & 3;
        int nsg = flags & 3;
        if (transit && more) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "login request with both T and C bits");
        }
        byte[] requestIsid = Arrays.copyOfRange(request.bhs, 8, 14);
        if (first) {
            if (request.u8(3) > 0) {
                throw new LoginFailure(LoginStatus.UNSUPPORTED_VERSION, "iSCSI version " + request.u8(3)
                        + " and above only");
            }
            if (csg != SECURITY && csg != OPERATIONAL) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "first login request in stage " + csg);
            }
            isid = requestIsid;
            tsih = request.u16(14);
            cid = request.u16(20);
            cmdSN = request.u32(24);
            stage = csg;
        } else if (!Arrays.equals(isid, requestIsid) || tsih != request.u16(14) || cid != request.u16(20)) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "ISID, TSIH or CID changed during login");
        }
        if (csg != stage) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "login request in stage " + csg + ", expected "
                    + stage);
        }
        if (pendingText.size() + request.data.length > MAX_TEXT) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "login text beyond " + MAX_TEXT + " bytes");
        }
        pendingText.writeBytes(request.data);
        if (more) {
            // Section 6.2: answer an empty response and wait for the rest of the text.
            first = false;
            return new Step(response(request, false, stage, 0, new byte[0]), Outcome.CONTINUE, null);
        }
        byte[] text = pendingText.toByteArray();
        pendingText.reset();
        List<Map.Entry<String, String>> keys = TextKeys.parse(text);
        List<Map.Entry<String, String>> reply = new ArrayList<>();
        first = false;
        if (!sessionDeclared) {
            declareSession(keys);
            sessionDeclared = true;
            if (!discovery) {
                reply.add(Map.entry("TargetPortalGroupTag", Integer.toString(TARGET_PORTAL_GROUP_TAG)));
                if (target.alias() != null && !target.alias().isEmpty()) {
                    reply.add(Map.entry("TargetAlias", target.alias()));
                }
            }
        }
        if (stage != SECURITY && chapRequired() && !security.done()) {
            throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "target " + target.name()
                    + " needs CHAP, the initiator skipped the security stage");
        }
        boolean holdTransit = false;
        for (Map.Entry<String, String> key : keys) {
            String name = key.getKey();
            String value = key.getValue();
            switch (name) {
                case "InitiatorName", "InitiatorAlias", "SessionType", "TargetName" -> {
                    // declarations, taken in declareSession
                }
                case "AuthMethod", "CHAP_A", "CHAP_N", "CHAP_R", "CHAP_I", "CHAP_C" -> {
                    if (stage != SECURITY) {
                        throw new LoginFailure(LoginStatus.INITIATOR_ERROR, name + " outside the security stage");
                    }
                }
                default -> operational.negotiate(name, value, reply);
            }
        }
        if (stage == SECURITY) {
            holdTransit = security.keys(keys, reply, target, chapRequired());
        }
        if (!declared.contains("MaxRecvDataSegmentLength") && (stage == OPERATIONAL || transit && nsg == FULL_FEATURE)) {
            declared.add("MaxRecvDataSegmentLength");
            reply.add(Map.entry("MaxRecvDataSegmentLength", Integer.toString(params.targetMaxRecv)));
        }
        if (!transit || holdTransit) {
            return new Step(response(request, false, stage, 0, TextKeys.encode(reply)), Outcome.CONTINUE, null);
        }
        if (!(stage == SECURITY && (nsg == OPERATIONAL || nsg == FULL_FEATURE)
                || stage == OPERATIONAL && nsg == FULL_FEATURE)) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "no transit from stage " + stage + " to " + nsg);
        }
        if (stage == SECURITY) {
            security.leave(chapRequired());
        }
        int from = stage;
        stage = nsg;
        Pdu response = response(request, true, from, nsg, TextKeys.encode(reply));
        return new Step(response, nsg == FULL_FEATURE ? Outcome.FULL_FEATURE : Outcome.CONTINUE, null);
    }

    private void declareSession(List<Map.Entry<String, String>> keys) {
        for (Map.Entry<String, String> key : keys) {
            switch (key.getKey()) {
                case "InitiatorName" -> initiatorName = key.getValue().toLowerCase(Locale.ROOT);
                case "InitiatorAlias" -> initiatorAlias = key.getValue();
                case "SessionType" -> {
                    switch (key.getValue()) {
                        case "Discovery" -> discovery = true;
                        case "Normal" -> discovery = false;
                        default -> throw new LoginFailure(LoginStatus.SESSION_TYPE_NOT_SUPPORTED,
                                "session type " + TextKeys.shorten(key.getValue()));
                    }
                }
                default -> {
                }
            }
        }
        if (initiatorName == null || initiatorName.isEmpty()) {
            throw new LoginFailure(LoginStatus.MISSING_PARAMETER, "first login request without InitiatorName");
        }
        if (discovery) {
            return;
        }
        String targetName = keys.stream().filter(k -> k.getKey().equals("TargetName")).map(Map.Entry::getValue)
                .findFirst().orElse(null);
        if (targetName == null || targetName.isEmpty()) {
            throw new LoginFailure(LoginStatus.MISSING_PARAMETER, "normal session without TargetName");
        }
        Optional<IscsiTargetInfo> found;
        try {
            found = targets.lookup(targetName.toLowerCase(Locale.ROOT));
        } catch (StorageException e) {
            throw new LoginFailure(LoginStatus.SERVICE_UNAVAILABLE, "target " + TextKeys.shorten(targetName) + ": "
                    + e.getMessage());
        }
        if (found.isEmpty()) {
            throw new LoginFailure(LoginStatus.NOT_FOUND, "no target " + TextKeys.shorten(targetName));
        }
        target = found.get();
        if (tsih != 0) {
            // A connection for an existing session: with MaxConnections=1 there is none to add to. The caller checks
            // whether the session exists (0x020a) or is full (0x0206); here, refuse what cannot work anyway.
            params.maxConnections = 1;
        }
    }

    private boolean chapRequired() {
        return !discovery && target != null && target.chap() != null;
    }

    private Pdu response(Pdu request, boolean transit, int csg, int nsg, byte[] text) {
        Pdu r = Pdu.of(Pdu.LOGIN_RESPONSE);
        r.flags((transit ? 0x80 : 0) | (csg << 2) | (transit ? nsg : 0));
        System.arraycopy(request.bhs, 8, r.bhs, 8, 6); // ISID
        r.u16(14, request.u16(14));
        r.itt(request.itt());
        r.u32(28, cmdSN);
        r.u32(32, cmdSN);
        r.data(text);
        return r;
    }

    private Pdu failure(Pdu request, int status) {
        Pdu r = Pdu.of(Pdu.LOGIN_RESPONSE);
        if (request != null) {
            System.arraycopy(request.bhs, 8, r.bhs, 8, 6);
            r.itt(request.itt());
            r.u32(28, request.u32(24));
            r.u32(32, request.u32(24));
        }
        r.u8(36, status >> 8).u8(37, status & 0xff);
        return r;
    }

    static int status(Pdu response) {
        return (response.u8(36) << 8) | response.u8(37);
    }

}
