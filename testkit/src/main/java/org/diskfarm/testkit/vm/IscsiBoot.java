package org.diskfarm.testkit.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the VM boots from: an iSCSI target as iPXE's {@code sanboot} reaches it, and the iPXE script that does it.
 *
 * <p>The root path follows RFC 4173: {@code iscsi:<server>:<protocol>:<port>:<lun>:<targetname>}, protocol empty
 * (TCP). The server is {@link #HOST_FROM_GUEST}: with QEMU's user networking (slirp) the guest reaches the host's
 * 127.0.0.1 at 10.0.2.2 — slirp connects from the host to 127.0.0.1:port — so the target under test listens on
 * loopback only and nothing leaves the machine.
 *
 * <p>The LUN matters: tgt reserves LUN 0 for its own "storage controller" device and puts the disk at LUN 1;
 * iPXE boots whatever LUN the root path names.
 *
 * <p>What a target must answer, as seen from Debian 12's iPXE (1.0.0+git-20190125) booting the {@link BootDiskImage}
 * disk from tgtd (tcpdump on lo, and tgtd -d 1):
 * <ul>
 *   <li>one connection, one session; login in two steps. Security stage, iPXE sends {@code InitiatorName,
 *       TargetName, SessionType=Normal, AuthMethod=None}; tgt answers {@code TargetPortalGroupTag=1,
 *       AuthMethod=None}. With CHAP set iPXE offers {@code AuthMethod=CHAP,None}, tgt picks CHAP, iPXE sends
 *       {@code CHAP_A=5} (MD5), tgt answers {@code CHAP_A=5, CHAP_I, CHAP_C} (a 50-byte hex challenge), iPXE
 *       {@code CHAP_N, CHAP_R}.
 *       Operational stage, iPXE sends {@code HeaderDigest=None, DataDigest=None, MaxConnections=1,
 *       InitialR2T=Yes, ImmediateData=No, MaxRecvDataSegmentLength=8192, MaxBurstLength=262144,
 *       FirstBurstLength=65536, DefaultTime2Wait=0, DefaultTime2Retain=0, MaxOutstandingR2T=1,
 *       DataPDUInOrder=Yes, DataSequenceInOrder=Yes, ErrorRecoveryLevel=0}; tgt answers the same keys with
 *       DefaultTime2Wait=2 and no MaxRecvDataSegmentLength.</li>
 *   <li>SCSI: TEST UNIT READY (0x00) twice, READ CAPACITY(10) (0x25) once, then only READ(10) (0x28): 180 of them
 *       for this boot, most of 127 sectors (65024 bytes, syslinux's largest INT 13h read), some of 1 sector. No
 *       INQUIRY, no REPORT LUNS, no MODE SENSE, no writes. (iPXE switches to READ CAPACITY(16) and READ(16) for
 *       disks past 2 TiB.) Data-In comes in PDUs of at most 8192 bytes, iPXE's MaxRecvDataSegmentLength.</li>
 *   <li>the session stays open after Linux starts (iPXE's INT 13h hook is left behind) until QEMU is killed.</li>
 * </ul>
 *
 * @param port          the target's port on the host's 127.0.0.1
 * @param lun           the LUN of the boot disk
 * @param targetIqn     the target name
 * @param initiatorIqn  the initiator name iPXE logs in with ({@code set initiator-iqn}); null for iPXE's default,
 *                      {@code iqn.2010-04.org.ipxe:<SMBIOS UUID>}, under QEMU without {@code -uuid}
 *                      {@code iqn.2010-04.org.ipxe:00000000-0000-0000-0000-000000000000}
 * @param username      CHAP user name ({@code set username}); null for no CHAP
 * @param password      CHAP secret ({@code set password}); tgt wants 12 to 16 characters for Microsoft
 *                      compatibility, iPXE takes any
 * @param extraLines    more script lines, run before {@code sanboot} (e.g. {@code set reverse-username ...} for
 *                      mutual CHAP, or {@code set san-drive 0x81})
 */
public record IscsiBoot(int port, int lun, String targetIqn, String initiatorIqn, String username, String password,
                        List<String> extraLines) {
    /** How the guest names the host's 127.0.0.1 under QEMU user networking. */
    public static final String HOST_FROM_GUEST = "10.0.2.2";
    /** Printed by the script when sanboot returns, which it only does when the boot failed. */
    public static final String SANBOOT_FAILED = "DISKFARM-SANBOOT-FAILED";

    public IscsiBoot {
        Objects.requireNonNull(targetIqn, "targetIqn");
        extraLines = List.copyOf(extraLines);
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("CHAP needs both a user name and a password");
        }
    }

    /** The target at {@code port}, {@code lun}, no CHAP, iPXE's own initiator name. */
    public static IscsiBoot of(int port, int lun, String targetIqn) {
        return new IscsiBoot(port, lun, targetIqn, null, null, null, List.of());
    }

    public IscsiBoot withInitiatorIqn(String iqn) {
        return new IscsiBoot(port, lun, targetIqn, iqn, username, password, extraLines);
    }

    public IscsiBoot withChap(String user, String secret) {
        return new IscsiBoot(port, lun, targetIqn, initiatorIqn, user, secret, extraLines);
    }

    public IscsiBoot withExtraLines(String... lines) {
        List<String> all = new ArrayList<>(extraLines);
        all.addAll(List.of(lines));
        return new IscsiBoot(port, lun, targetIqn, initiatorIqn, username, password, all);
    }

    /** {@code iscsi:10.0.2.2::PORT:LUN:IQN}. */
    public String rootPath() {
        return "iscsi:" + HOST_FROM_GUEST + "::" + port + ":" + lun + ":" + targetIqn;
    }

    /**
     * The iPXE script. {@code dhcp} is repeated although iPXE has an address by the time it runs the script (it got
     * it to fetch the script), so the script also works when chained some other way. If {@code sanboot} returns,
     * the boot failed: the script prints {@link #SANBOOT_FAILED} with iPXE's error number so that the fixture stops
     * at once instead of waiting for its timeout.
     */
    public String script() {
        StringBuilder script = new StringBuilder("#!ipxe\n");
        script.append("echo diskfarm: sanboot ").append(rootPath()).append('\n');
        script.append("dhcp\n");
        if (initiatorIqn != null) {
            script.append("set initiator-iqn ").append(initiatorIqn).append('\n');
        }
        if (username != null) {
            script.append("set username ").append(username).append('\n');
            script.append("set password ").append(password).append('\n');
        }
        extraLines.forEach(line -> script.append(line).append('\n'));
        script.append("sanboot ").append(rootPath()).append(" || goto failed\n");
        script.append(":failed\n");
        script.append("echo ").append(SANBOOT_FAILED).append(" errno ${errno}\n");
        return script.toString();
    }
}
