package org.diskfarm.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class LoginNegotiationTest {
    private static final int SECURITY_TO_OPERATIONAL = 0x80 | (0 << 2) | 1;
    private static final int SECURITY_STAY = 0;
    private static final int OPERATIONAL_TO_FULL = 0x80 | (1 << 2) | 3;
    private static final int SECURITY_TO_FULL = 0x80 | 3;

    private final LoginNegotiation login = new LoginNegotiation(TestTargets.standard(), new Random(7));

    private static Pdu request(int flags, String... keys) {
        Pdu p = Pdu.of(Pdu.LOGIN_REQUEST).immediate(true).flags(flags);
        p.bhs[8] = (byte) 0x80;
        p.itt(5).u16(20, 1).u32(24, 100);
        return p.data(RawInitiator.text(keys));
    }

    private static Map<String, String> keys(LoginNegotiation.Step step) {
        return RawInitiator.keys(step.response());
    }

    private static String md5(int id, String secret, byte[] challenge) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        md.update((byte) id);
        md.update(secret.getBytes(StandardCharsets.UTF_8));
        md.update(challenge);
        return "0x" + HexFormat.of().formatHex(md.digest());
    }

    @Test
    void noneGoesToFullFeatureWithTheDefaultsAndOurDeclarations() {
        var s1 = login.step(request(SECURITY_TO_OPERATIONAL, "InitiatorName=iqn.1994-05.com.example:a",
                "SessionType=Normal", "TargetName=" + TestTargets.DISK, "AuthMethod=None"));
        assertThat(s1.outcome()).isEqualTo(LoginNegotiation.Outcome.CONTINUE);
        assertThat(s1.response().flags()).isEqualTo(SECURITY_TO_OPERATIONAL);
        assertThat(keys(s1)).containsEntry("AuthMethod", "None").containsEntry("TargetPortalGroupTag", "1")
                .containsEntry("TargetAlias", "the disk");
        var s2 = login.step(request(OPERATIONAL_TO_FULL, "HeaderDigest=CRC32C,None", "DataDigest=None",
                "MaxRecvDataSegmentLength=65536", "MaxBurstLength=16776192", "FirstBurstLength=1048576",
                "InitialR2T=No", "ImmediateData=Yes", "MaxOutstandingR2T=8", "DataPDUInOrder=Yes",
                "DataSequenceInOrder=Yes", "DefaultTime2Wait=0", "DefaultTime2Retain=20", "ErrorRecoveryLevel=2",
                "MaxConnections=4", "IFMarker=No", "OFMarker=No", "X-com.example.Thing=1", "Unknown=3"));
        assertThat(s2.outcome()).isEqualTo(LoginNegotiation.Outcome.FULL_FEATURE);
        assertThat(s2.response().flags()).isEqualTo(OPERATIONAL_TO_FULL);
        assertThat(keys(s2)).containsEntry("HeaderDigest", "CRC32C").containsEntry("DataDigest", "None")
                .containsEntry("MaxRecvDataSegmentLength", Integer.toString(SessionParams.TARGET_MAX_RECV))
                .containsEntry("MaxBurstLength", Integer.toString(SessionParams.TARGET_MAX_BURST))
                .containsEntry("FirstBurstLength", Integer.toString(SessionParams.TARGET_FIRST_BURST))
                .containsEntry("InitialR2T", "No").containsEntry("ImmediateData", "Yes")
                .containsEntry("MaxOutstandingR2T", "1").containsEntry("DefaultTime2Wait", "2")
                .containsEntry("DefaultTime2Retain", "0").containsEntry("ErrorRecoveryLevel", "0")
                .containsEntry("MaxConnections", "1").containsEntry("IFMarker", "No")
                .containsEntry("X-com.example.Thing", "NotUnderstood").containsEntry("Unknown", "NotUnderstood");
        assertThat(login.params.initiatorMaxRecv).isEqualTo(65536);
        assertThat(login.params.headerDigest).isTrue();
        assertThat(login.params.initialR2T).isFalse();
        assertThat(login.cmdSN()).isEqualTo(100);
        assertThat(s2.response().u32(28)).isEqualTo(100);
    }

    @Test
    void unknownTargetIs0203() {
        var s = login.step(request(SECURITY_TO_OPERATIONAL, "InitiatorName=iqn.x:a", "TargetName=iqn.x:nothing"));
        assertThat(s.outcome()).isEqualTo(LoginNegotiation.Outcome.FAILED);
        assertThat(LoginNegotiation.status(s.response())).isEqualTo(0x0203);
    }

    @Test
    void busyTargetIs0301() {
        var s = login.step(request(SECURITY_TO_OPERATIONAL, "InitiatorName=iqn.x:a", "TargetName=" + TestTargets.BUSY));
        assertThat(LoginNegotiation.status(s.response())).isEqualTo(0x0301);
        assertThat(s.reason()).contains("held by server a");
    }

    @Test
    void missingInitiatorNameIs0207AndNewVersionsAre0205() {
        assertThat(LoginNegotiation.status(login.step(request(SECURITY_TO_OPERATIONAL, "TargetName="
                + TestTargets.DISK)).response())).isEqualTo(0x0207);
        Pdu v = request(SECURITY_TO_OPERATIONAL, "InitiatorName=iqn.x:a", "TargetName=" + TestTargets.DISK);
        v.u8(3, 1);
        assertThat(LoginNegotiation.status(new LoginNegotiation(TestTargets.standard(), new Random()).step(v)
                .response())).isEqualTo(0x0205);
    }

    @Test
    void chapOneWayWithTheRightSecret() throws Exception {
        var s1 = login.step(request(SECURITY_STAY, "InitiatorName=iqn.x:a", "TargetName=" + TestTargets.SECRET,
                "AuthMethod=CHAP,None"));
        assertThat(keys(s1)).containsEntry("AuthMethod", "CHAP");
        var s2 = login.step(request(SECURITY_STAY, "CHAP_A=7,5"));
        Map<String, String> k = keys(s2);
        assertThat(k).containsEntry("CHAP_A", "5");
        int id = Integer.parseInt(k.get("CHAP_I"));
        byte[] challenge = Chap.decodeBinary(k.get("CHAP_C"));
        assertThat(challenge).hasSizeGreaterThanOrEqualTo(16);
        var s3 = login.step(request(SECURITY_TO_OPERATIONAL, "CHAP_N=alice",
                "CHAP_R=" + md5(id, "alice-secret-12", challenge)));
        assertThat(s3.outcome()).isEqualTo(LoginNegotiation.Outcome.CONTINUE);
        assertThat(s3.response().flags()).isEqualTo(SECURITY_TO_OPERATIONAL);
        assertThat(LoginNegotiation.status(s3.response())).isZero();
        var s4 = login.step(request(OPERATIONAL_TO_FULL));
        assertThat(s4.outcome()).isEqualTo(LoginNegotiation.Outcome.FULL_FEATURE);
    }

    @Test
    void chapWithTheWrongSecretIs0201() throws Exception {
        login.step(request(SECURITY_STAY, "InitiatorName=iqn.x:a", "TargetName=" + TestTargets.SECRET,
                "AuthMethod=CHAP"));
        Map<String, String> k = keys(login.step(request(SECURITY_STAY, "CHAP_A=5")));
        var s = login.step(request(SECURITY_TO_OPERATIONAL, "CHAP_N=alice", "CHAP_R="
                + md5(Integer.parseInt(k.get("CHAP_I")), "wrong", Chap.decodeBinary(k.get("CHAP_C")))));
        assertThat(s.outcome()).isEqualTo(LoginNegotiation.Outcome.FAILED);
        assertThat(LoginNegotiation.status(s.response())).isEqualTo(0x0201);
    }

    @Test
    void chapTargetRefusesNoneAndSkippingTheSecurityStage() {
        var none = login.step(request(SECURITY_TO_OPERATIONAL, "InitiatorName=iqn.x:a",
                "TargetName=" + TestTargets.SECRET, "AuthMethod=None"));
        assertThat(LoginNegotiation.status(none.response())).isEqualTo(0x0201);
        var skip = new LoginNegotiation(TestTargets.standard(), new Random()).step(request(SECURITY_TO_FULL,
                "InitiatorName=iqn.x:a", "TargetName=" + TestTargets.SECRET));
        assertThat(LoginNegotiation.status(skip.response())).isEqualTo(0x0201);
        var operationalFirst = new LoginNegotiation(TestTargets.standard(), new Random()).step(
                request(OPERATIONAL_TO_FULL, "InitiatorName=iqn.x:a", "TargetName=" + TestTargets.SECRET));
        assertThat(LoginNegotiation.status(operationalFirst.response())).isEqualTo(0x0201);
    }

    @Test
    void mutualChapAnswersTheInitiatorsChallenge() throws Exception {
        login.step(request(SECURITY_STAY, "InitiatorName=iqn.x:a", "TargetName=" + TestTargets.MUTUAL,
                "AuthMethod=CHAP"));
        Map<String, String> k = keys(login.step(request(SECURITY_STAY, "CHAP_A=5")));
        byte[] mine = HexFormat.of().parseHex("0102030405060708090a0b0c0d0e0f10");
        var s = login.step(request(SECURITY_TO_OPERATIONAL, "CHAP_N=bob", "CHAP_R="
                + md5(Integer.parseInt(k.get("CHAP_I")), "bob-secret-1234", Chap.decodeBinary(k.get("CHAP_C"))),
                "CHAP_I=77", "CHAP_C=0x0102030405060708090a0b0c0d0e0f10"));
        assertThat(LoginNegotiation.status(s.response())).isZero();
        assertThat(keys(s)).containsEntry("CHAP_N", "target-bob")
                .containsEntry("CHAP_R", md5(77, "target-secret-99", mine));
    }

    @Test
    void mutualChapWithoutATargetSecretIs0201() throws Exception {
        login.step(request(SECURITY_STAY, "InitiatorName=iqn.x:a", "TargetName=" + TestTargets.SECRET,
                "AuthMethod=CHAP"));
        Map<String, String> k = keys(login.step(request(SECURITY_STAY, "CHAP_A=5")));
        var s = login.step(request(SECURITY_TO_OPERATIONAL, "CHAP_N=alice", "CHAP_R="
                + md5(Integer.parseInt(k.get("CHAP_I")), "alice-secret-12", Chap.decodeBinary(k.get("CHAP_C"))),
                "CHAP_I=1", "CHAP_C=0x0102"));
        assertThat(LoginNegotiation.status(s.response())).isEqualTo(0x0201);
    }

    @Test
    void textSpreadOverTwoRequestsWithTheCBit() {
        byte[] all = RawInitiator.text("InitiatorName=iqn.x:a", "TargetName=" + TestTargets.DISK, "AuthMethod=None");
        Pdu first = request(0x40);
        first.data(java.util.Arrays.copyOf(all, 10));
        var s1 = login.step(first);
        assertThat(s1.outcome()).isEqualTo(LoginNegotiation.Outcome.CONTINUE);
        assertThat(s1.response().data).isEmpty();
        Pdu second = request(SECURITY_TO_OPERATIONAL);
        second.data(java.util.Arrays.copyOfRange(all, 10, all.length));
        var s2 = login.step(second);
        assertThat(keys(s2)).containsEntry("AuthMethod", "None").containsEntry("TargetPortalGroupTag", "1");
        assertThat(s2.response().flags()).isEqualTo(SECURITY_TO_OPERATIONAL);
        assertThat(login.initiatorName).isEqualTo("iqn.x:a");
        assertThat(login.target.name()).isEqualTo(TestTargets.DISK);
        assertThat(login.step(request(OPERATIONAL_TO_FULL)).outcome()).isEqualTo(LoginNegotiation.Outcome.FULL_FEATURE);
    }

    @Test
    void discoverySessionNeedsNoTarget() {
        var s = login.step(request(SECURITY_TO_FULL, "InitiatorName=iqn.x:a", "SessionType=Discovery",
                "AuthMethod=None"));
        assertThat(s.outcome()).isEqualTo(LoginNegotiation.Outcome.FULL_FEATURE);
        assertThat(login.discovery).isTrue();
        assertThat(keys(s)).doesNotContainKey("TargetPortalGroupTag");
    }

    @Test
    void badValuesAreRejectedAndTransitWithCIsAnError() {
        login.step(request(SECURITY_TO_OPERATIONAL, "InitiatorName=iqn.x:a", "TargetName=" + TestTargets.DISK));
        var s = login.step(request(1 << 2, "MaxBurstLength=12", "InitialR2T=Maybe", "HeaderDigest=MD5"));
        assertThat(keys(s)).containsEntry("MaxBurstLength", "Reject").containsEntry("InitialR2T", "Reject")
                .containsEntry("HeaderDigest", "Reject");
        var both = login.step(request(0xc0 | (1 << 2) | 3));
        assertThat(LoginNegotiation.status(both.response())).isEqualTo(0x0200);
    }

    @Test
    void aStageOtherThanTheCurrentOneIsAnError() {
        login.step(request(SECURITY_STAY, "InitiatorName=iqn.x:a", "TargetName=" + TestTargets.DISK));
        var s = login.step(request(OPERATIONAL_TO_FULL));
        assertThat(LoginNegotiation.status(s.response())).isEqualTo(0x0200);
    }
}
