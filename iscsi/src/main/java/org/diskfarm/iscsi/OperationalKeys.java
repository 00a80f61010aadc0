package org.diskfarm.iscsi;

import java.util.List;
import java.util.Map;

/**
 * The operational keys of a login (RFC 7143 section 13): for each key the initiator offers, the rule that picks our
 * answer (a list to choose from, a min- or max-function, a Boolean AND or OR, or a value we always answer), and the
 * result set in the session's {@link SessionParams}.
 */
final class OperationalKeys {
    private final SessionParams params;

    OperationalKeys(SessionParams params) {
        this.params = params;
    }

    /** One operational key (section 13) and our answer. */
    void negotiate(String name, String value, List<Map.Entry<String, String>> reply) {
        SessionParams p = params;
        String answer = switch (name) {
            case "HeaderDigest" -> {
                String pick = digest(value);
                p.headerDigest = "CRC32C".equals(pick);
                yield pick;
            }
            case "DataDigest" -> {
                String pick = digest(value);
                p.dataDigest = "CRC32C".equals(pick);
                yield pick;
            }
            case "MaxRecvDataSegmentLength" -> {
                Integer n = number(value, 512, 16777215);
                if (n != null) {
                    p.initiatorMaxRecv = n;
                }
                yield n == null ? "Reject" : null; // declarative: our own value is declared separately
            }
            case "MaxBurstLength" -> {
                Integer n = number(value, 512, 16777215);
                if (n == null) {
                    yield "Reject";
                }
                p.maxBurstLength = Math.min(n, SessionParams.TARGET_MAX_BURST);
                p.firstBurstLength = Math.min(p.firstBurstLength, p.maxBurstLength);
                yield Integer.toString(p.maxBurstLength);
            }
            case "FirstBurstLength" -> {
                Integer n = number(value, 512, 16777215);
                if (n == null) {
                    yield "Reject";
                }
                p.firstBurstLength = Math.min(Math.min(n, SessionParams.TARGET_FIRST_BURST), p.maxBurstLength);
                yield Integer.toString(p.firstBurstLength);
            }
            case "InitialR2T" -> {
                Boolean b = bool(value);
                if (b == null) {
                    yield "Reject";
                }
                p.initialR2T = b; // OR with our No
                yield SessionParams.yes(b);
            }
            case "ImmediateData" -> {
                Boolean b = bool(value);
                if (b == null) {
                    yield "Reject";
                }
                p.immediateData = b; // AND with our Yes
                yield SessionParams.yes(b);
            }
            case "MaxOutstandingR2T" -> {
                Integer n = number(value, 1, 65535);
                if (n == null) {
                    yield "Reject";
                }
                p.maxOutstandingR2T = 1;
                yield "1";
            }
            case "DataPDUInOrder", "DataSequenceInOrder" -> bool(value) == null ? "Reject" : "Yes"; // OR with our Yes
            case "DefaultTime2Wait" -> {
                Integer n = number(value, 0, 3600);
                if (n == null) {
                    yield "Reject";
                }
                p.defaultTime2Wait = Math.max(n, 2);
                yield Integer.toString(p.defaultTime2Wait);
            }
            case "DefaultTime2Retain" -> number(value, 0, 3600) == null ? "Reject" : "0";
            case "ErrorRecoveryLevel" -> number(value, 0, 2) == null ? "Reject" : "0";
            case "MaxConnections" -> number(value, 1, 65535) == null ? "Reject" : "1";
            case "IFMarker", "OFMarker" -> bool(value) == null ? "Reject" : "No";
            case "IFMarkInt", "OFMarkInt" -> "Irrelevant";
            case "iSCSIProtocolLevel" -> {
                Integer n = number(value, 0, 31);
                yield n == null ? "Reject" : Integer.toString(Math.min(n, 1));
            }
            case "TaskReporting" -> "RFC3720";
            case "TargetAlias", "TargetAddress", "TargetPortalGroupTag" -> "Irrelevant"; // target-only keys
            default -> "NotUnderstood";
        };
        if (answer != null) {
            reply.add(Map.entry(name, answer));
        }
    }

    private static String digest(String offered) {
        for (String d : offered.split(",")) {
            if (d.equals("CRC32C") || d.equals("None")) {
                return d;
            }
        }
        return "Reject";
    }

    private static Integer number(String value, int min, int max) {
        try {
            long n = value.startsWith("0x") || value.startsWith("0X") ? Long.parseLong(value.substring(2), 16)
                    : Long.parseLong(value);
            return n < min || n > max ? null : (int) n;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Boolean bool(String value) {
        return switch (value) {
            case "Yes" -> true;
            case "No" -> false;
            default -> null;
        };
    }
}
