package org.diskfarm.iscsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.diskfarm.block.MemoryDevice;
import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server in-process, driven by {@link RawInitiator} over a socket: the protocol paths real clients rarely take. */
class IscsiServerTest {
    static final int SIZE = 4 << 20;
    private final byte[] disk = new byte[SIZE];
    private final byte[] gold = new byte[SIZE];
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final Map<String, String> failing = new ConcurrentHashMap<>();
    private IscsiServer server;

    @BeforeEach
    void start() {
        new Random(1).nextBytes(disk);
        new Random(2).nextBytes(gold);
        server = start(IscsiServerOptions.DEFAULTS);
    }

    IscsiServer start(IscsiServerOptions options) {
        return IscsiServer.start(new InetSocketAddress("127.0.0.1", 0), TestTargets.standard(),
                (target, initiator, address) -> {
                    if (failing.containsKey(target)) {
                        throw new StorageException(StorageException.Kind.BUSY, failing.get(target));
                    }
                    opened.incrementAndGet();
                    MemoryDevice device = target.equals(TestTargets.GOLD) ? MemoryDevice.wrap(gold, false)
                            : MemoryDevice.wrap(disk, true);
                    return new org.diskfarm.block.ForwardingBlockDevice(device) {
                        @Override
                        public void close() {
                            closed.incrementAndGet();
                            super.close();
                        }
                    };
                }, options);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawInitiator connect() {
        return new RawInitiator(server.port());
    }

    @Test
    void readsAndWritesWithDataInSplitAndR2T() {
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK, "MaxRecvDataSegmentLength=4096", "MaxBurstLength=16384",
                    "InitialR2T=Yes", "ImmediateData=No");
            RawInitiator.Reply tur = c.execute(new byte[6], 0, false);
            assertThat(tur.status).isZero();
            RawInitiator.Reply read = c.execute(RawInitiator.read10(8, 128), 65536, true);
            assertThat(read.status).isZero();
            assertThat(read.data).isEqualTo(Arrays.copyOfRange(disk, 8 * 512, 8 * 512 + 65536));
            assertThat(read.pdus).hasSize(16).allSatisfy(p -> assertThat(p.data.length).isEqualTo(4096));
            long finals = read.pdus.stream().filter(Pdu::finalBit).count();
            assertThat(finals).isEqualTo(4); // one F per MaxBurstLength
            for (int i = 0; i < read.pdus.size(); i++) {
                assertThat(read.pdus.get(i).u32(36)).isEqualTo(i);
                assertThat(read.pdus.get(i).u32(40)).isEqualTo(i * 4096);
            }
            // a write solicited by R2Ts of MaxBurstLength each
            byte[] data = new byte[40960];
            new Random(9).nextBytes(data);
            c.send(c.command(RawInitiator.write10(100, 80), data.length, false, true, null, true));
            int offset = 0;
            int r2ts = 0;
            while (offset < data.length) {
                Pdu r2t = c.receive();
                assertThat(r2t.opcode()).isEqualTo(Pdu.R2T);
                assertThat(r2t.u32(36)).isEqualTo(r2ts++);
                int at = r2t.u32(40);
                int length = r2t.u32(44);
                assertThat(at).isEqualTo(offset);
                assertThat(length).isLessThanOrEqualTo(16384);
                int sn = 0;
                for (int o = 0; o < length; o += 4096) {
                    int n = Math.min(4096, length - o);
                    Pdu out = Pdu.of(Pdu.DATA_OUT).flags(o + n == length ? 0x80 : 0).itt(c.itt)
                            .u32(20, r2t.u32(20)).u32(36, sn++).u32(40, at + o)
                            .data(Arrays.copyOfRange(data, at + o, at + o + n));
                    c.send(out);
                }
                offset += length;
            }
            RawInitiator.Reply written = c.collect();
            assertThat(written.status).isZero();
            assertThat(Arrays.copyOfRange(disk, 100 * 512, 100 * 512 + data.length)).isEqualTo(data);
        }
    }

    @Test
    void immediateAndUnsolicitedDataWithInitialR2TNo() {
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK, "InitialR2T=No", "ImmediateData=Yes", "FirstBurstLength=8192",
                    "MaxBurstLength=8192");
            byte[] data = new byte[16384];
            new Random(3).nextBytes(data);
            c.send(c.command(RawInitiator.write10(0, 32), data.length, false, true,
                    Arrays.copyOf(data, 4096), false));
            c.send(Pdu.of(Pdu.DATA_OUT).flags(0x80).itt(c.itt).u32(20, Pdu.RESERVED_TAG).u32(36, 0)
                    .u32(40, 4096).data(Arrays.copyOfRange(data, 4096, 8192)));
            Pdu r2t = c.receive();
            assertThat(r2t.opcode()).isEqualTo(Pdu.R2T);
            assertThat(r2t.u32(40)).isEqualTo(8192);
            assertThat(r2t.u32(44)).isEqualTo(8192);
            c.send(Pdu.of(Pdu.DATA_OUT).flags(0x80).itt(c.itt).u32(20, r2t.u32(20)).u32(36, 0).u32(40, 8192)
                    .data(Arrays.copyOfRange(data, 8192, 16384)));
            assertThat(c.collect().status).isZero();
            assertThat(Arrays.copyOf(disk, data.length)).isEqualTo(data);
        }
    }

    @Test
    void residualsSenseAndLunsOtherThanZero() {
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK);
            RawInitiator.Reply under = c.execute(RawInitiator.read10(0, 1), 10000, true);
            assertThat(under.data).hasSize(512);
            assertThat(under.residualFlags).isEqualTo(0x02);
            assertThat(under.residual).isEqualTo(10000 - 512);
            RawInitiator.Reply over = c.execute(RawInitiator.read10(0, 1), 200, true);
            assertThat(over.data).hasSize(200);
            assertThat(over.residualFlags).isEqualTo(0x04);
            assertThat(over.residual).isEqualTo(312);
            RawInitiator.Reply beyond = c.execute(RawInitiator.read10(SIZE / 512, 1), 512, true);
            assertThat(beyond.status).isEqualTo(2);
            assertThat(beyond.senseKey()).isEqualTo(5);
            assertThat(beyond.asc()).isEqualTo(0x21);
            // a write with EDTL smaller than the CDB's transfer writes what was sent, with residual overflow
            byte[] second = Arrays.copyOfRange(disk, 512, 1024);
            byte[] ones = new byte[512];
            Arrays.fill(ones, (byte) 1);
            c.send(c.command(RawInitiator.write10(0, 2), 512, false, true, ones, true));
            RawInitiator.Reply short_ = c.collect();
            assertThat(short_.status).isZero();
            assertThat(short_.residualFlags).isEqualTo(0x04);
            assertThat(short_.residual).isEqualTo(512);
            assertThat(Arrays.copyOf(disk, 512)).isEqualTo(ones);
            assertThat(Arrays.copyOfRange(disk, 512, 1024)).isEqualTo(second);
            // a command other than WRITE with too short an EDTL: INVALID FIELD IN INFORMATION UNIT
            byte[] unmap = new byte[10];
            unmap[0] = 0x42;
            unmap[8] = 24;
            c.send(c.command(unmap, 8, false, true, new byte[8], true));
            RawInitiator.Reply refused = c.collect();
            assertThat(refused.status).isEqualTo(2);
            Pdu lun1 = c.command(new byte[6], 0, false, false, null, true).lun(0x0001000000000000L);
            c.send(lun1);
            RawInitiator.Reply notThere = c.collect();
            assertThat(notThere.senseKey()).isEqualTo(5);
            assertThat(notThere.asc()).isEqualTo(0x25);
        }
    }

    @Test
    void digestsOnBothWays() {
        try (RawInitiator c = connect()) {
            c.login(TestTargets.GOLD, "HeaderDigest=CRC32C", "DataDigest=CRC32C");
            assertThat(c.codec.headerDigest).isTrue();
            RawInitiator.Reply read = c.execute(RawInitiator.read10(3, 3), 1536, true);
            assertThat(read.data).isEqualTo(Arrays.copyOfRange(gold, 1536, 3072));
            // a data digest error in a NOP-Out is rejected, and the connection goes on
            ByteBuffer wire = c.codec.encode(Pdu.of(Pdu.NOP_OUT).immediate(true).itt(77).u32(20, Pdu.RESERVED_TAG)
                    .u32(24, c.cmdSN).data(new byte[] {1, 2, 3, 4}));
            wire.put(48 + 4 + 1, (byte) 9);
            c.sendRaw(wire);
            Pdu reject = c.receive();
            assertThat(reject.opcode()).isEqualTo(Pdu.REJECT);
            assertThat(reject.u8(2)).isEqualTo(Pdu.REJECT_DATA_DIGEST);
            assertThat(c.execute(new byte[6], 0, false).status).isZero();
        }
    }

    @Test
    void dataSnErrors() {
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK, "InitialR2T=No", "ImmediateData=No");
            byte[] data = new byte[1024];
            Arrays.fill(data, (byte) 7);
            // a duplicate DataSN is dropped; the command completes with the right PDU
            c.send(c.command(RawInitiator.write10(10, 2), 1024, false, true, null, false));
            c.send(Pdu.of(Pdu.DATA_OUT).itt(c.itt).u32(20, Pdu.RESERVED_TAG).u32(36, 0).u32(40, 0)
                    .data(Arrays.copyOf(data, 512)));
            c.send(Pdu.of(Pdu.DATA_OUT).flags(0x80).itt(c.itt).u32(20, Pdu.RESERVED_TAG).u32(36, 0).u32(40, 512)
                    .data(Arrays.copyOf(data, 512)));
            c.send(Pdu.of(Pdu.DATA_OUT).flags(0x80).itt(c.itt).u32(20, Pdu.RESERVED_TAG).u32(36, 1).u32(40, 512)
                    .data(Arrays.copyOf(data, 512)));
            assertThat(c.collect().status).isZero();
            assertThat(Arrays.copyOfRange(disk, 5120, 6144)).isEqualTo(data);
            // a DataSN ahead of the expected one ends the connection (no recovery at ErrorRecoveryLevel 0)
            c.send(c.command(RawInitiator.write10(10, 1), 512, false, true, null, false));
            c.send(Pdu.of(Pdu.DATA_OUT).flags(0x80).itt(c.itt).u32(20, Pdu.RESERVED_TAG).u32(36, 27).u32(40, 0)
                    .data(new byte[512]));
            assertThat(c.closedByTarget()).isTrue();
        }
    }

    @Test
    void nopOutIsAnsweredWithItsData() {
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK);
            c.send(Pdu.of(Pdu.NOP_OUT).immediate(true).itt(42).u32(20, Pdu.RESERVED_TAG).u32(24, c.cmdSN)
                    .data("ping".getBytes()));
            Pdu in = c.receive();
            assertThat(in.opcode()).isEqualTo(Pdu.NOP_IN);
            assertThat(in.itt()).isEqualTo(42);
            assertThat(new String(in.data)).isEqualTo("ping");
        }
    }

    @Test
    void targetPingsASilentInitiatorAndDropsItWhenUnanswered() {
        server.close();
        server = start(IscsiServerOptions.DEFAULTS.withNopIn(Duration.ofMillis(200), Duration.ofMillis(300)));
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK);
            Pdu ping = c.receive();
            assertThat(ping.opcode()).isEqualTo(Pdu.NOP_IN);
            assertThat(ping.itt()).isEqualTo(Pdu.RESERVED_TAG);
            // answered: the connection lives on and is pinged again
            c.send(Pdu.of(Pdu.NOP_OUT).immediate(true).itt(Pdu.RESERVED_TAG).u32(20, ping.u32(20))
                    .u32(24, c.cmdSN));
            Pdu again = c.receive();
            assertThat(again.opcode()).isEqualTo(Pdu.NOP_IN);
            assertThat(again.u32(20)).isNotEqualTo(ping.u32(20));
            // unanswered: dropped
            assertThat(c.closedByTarget()).isTrue();
        }
    }

    @Test
    void loginThatNeverFinishesIsClosed() {
        server.close();
        server = start(IscsiServerOptions.DEFAULTS.withLoginTimeout(Duration.ofMillis(300)));
        try (RawInitiator c = connect()) {
            assertThat(c.closedByTarget()).isTrue();
        }
    }

    @Test
    void commandBeforeLoginClosesTheConnection() {
        try (RawInitiator c = connect()) {
            c.send(c.command(new byte[6], 0, false, false, null, true));
            assertThat(c.closedByTarget()).isTrue();
        }
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK);
            assertThat(c.execute(new byte[6], 0, false).status).isZero();
        }
    }

    @Test
    void unknownOpcodeIsRejectedAndOversizedSegmentsDropTheConnection() {
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK);
            c.send(Pdu.of(0x1c).immediate(true).itt(9));
            Pdu reject = c.receive();
            assertThat(reject.opcode()).isEqualTo(Pdu.REJECT);
            assertThat(reject.u8(2)).isEqualTo(Pdu.REJECT_NOT_SUPPORTED);
            assertThat(reject.data).hasSize(48);
            try {
                c.send(c.command(RawInitiator.write10(0, 1024), 1 << 20, false, true,
                        new byte[SessionParams.TARGET_MAX_RECV + 4], true));
            } catch (java.io.UncheckedIOException reset) {
                // the target closed while we were still sending: what we test
            }
            assertThat(c.closedByTarget()).isTrue();
        }
    }

    @Test
    void cmdSnOutsideTheWindowIsIgnored() {
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK);
            Pdu tooHigh = c.command(new byte[6], 0, false, false, null, true);
            tooHigh.u32(24, c.cmdSN + 1000);
            c.cmdSN--;
            c.send(tooHigh);
            Pdu tooLow = c.command(new byte[6], 0, false, false, null, true);
            tooLow.u32(24, c.cmdSN - 5);
            c.cmdSN--;
            c.send(tooLow);
            RawInitiator.Reply ok = c.execute(new byte[6], 0, false);
            assertThat(ok.pdus).hasSize(1);
            assertThat(ok.pdus.get(0).itt()).isEqualTo(c.itt);
        }
    }

    @Test
    void commandsWithAGapRunOnceTheGapIsFilled() {
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK);
            Pdu first = c.command(new byte[6], 0, false, false, null, true);
            Pdu second = c.command(new byte[6], 0, false, false, null, true);
            c.send(second);
            c.send(first);
            Pdu r1 = c.receive();
            Pdu r2 = c.receive();
            assertThat(r1.itt()).isEqualTo(first.itt());
            assertThat(r2.itt()).isEqualTo(second.itt());
            assertThat(r2.u32(28)).isEqualTo(c.cmdSN); // ExpCmdSN past both
        }
    }

    @Test
    void taskManagement() {
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK, "InitialR2T=Yes");
            // a write waiting for its data is aborted: no response for it, then the TMF response
            c.send(c.command(RawInitiator.write10(0, 8), 4096, false, true, null, true));
            int writeItt = c.itt;
            assertThat(c.receive().opcode()).isEqualTo(Pdu.R2T);
            Pdu abort = Pdu.of(Pdu.TASK_MGMT_REQUEST).immediate(true).flags(0x80 | 1).itt(++c.itt)
                    .u32(20, writeItt).u32(24, c.cmdSN).u32(32, c.cmdSN - 1);
            c.send(abort);
            Pdu done = c.receive();
            assertThat(done.opcode()).isEqualTo(Pdu.TASK_MGMT_RESPONSE);
            assertThat(done.u8(2)).isZero();
            // Data-Out for the aborted task is dropped silently
            c.send(Pdu.of(Pdu.DATA_OUT).flags(0x80).itt(writeItt).u32(20, 1).data(new byte[512]));
            Pdu again = Pdu.of(Pdu.TASK_MGMT_REQUEST).immediate(true).flags(0x80 | 1).itt(++c.itt)
                    .u32(20, writeItt).u32(24, c.cmdSN).u32(32, c.cmdSN - 1);
            c.send(again);
            assertThat(c.receive().u8(2)).isEqualTo(1); // task does not exist
            for (int function : new int[] {2, 5, 6}) {
                c.send(Pdu.of(Pdu.TASK_MGMT_REQUEST).immediate(true).flags(0x80 | function).itt(++c.itt)
                        .u32(20, Pdu.RESERVED_TAG).u32(24, c.cmdSN));
                assertThat(c.receive().u8(2)).as("function %d", function).isZero();
            }
            c.send(Pdu.of(Pdu.TASK_MGMT_REQUEST).immediate(true).flags(0x80 | 7).itt(++c.itt).u32(24, c.cmdSN));
            assertThat(c.receive().u8(2)).isEqualTo(5);
            // The resets raised a unit attention (29h/00h, SAM-5) that the next command reports, once.
            assertThat(c.execute(new byte[6], 0, false).status).isEqualTo(2);
            assertThat(c.execute(new byte[6], 0, false).status).isZero();
        }
    }

    @Test
    void logoutClosesTheSessionAndItsDevice() throws Exception {
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK);
            c.send(Pdu.of(Pdu.LOGOUT_REQUEST).immediate(true).flags(0x80).itt(++c.itt).u16(20, 1)
                    .u32(24, c.cmdSN));
            Pdu r = c.receive();
            assertThat(r.opcode()).isEqualTo(Pdu.LOGOUT_RESPONSE);
            assertThat(r.u8(2)).isZero();
            assertThat(c.closedByTarget()).isTrue();
        }
        waitFor(() -> closed.get() == 1 && server.sessionCount() == 0);
    }

    @Test
    void sessionReinstatementReplacesTheOldSession() throws Exception {
        try (RawInitiator old = connect(); RawInitiator renewed = connect()) {
            old.login(TestTargets.DISK);
            renewed.login(TestTargets.DISK);
            assertThat(old.closedByTarget()).isTrue();
            assertThat(renewed.execute(new byte[6], 0, false).status).isZero();
            assertThat(renewed.tsih).isNotEqualTo(old.tsih);
        }
        waitFor(() -> closed.get() == 2);
    }

    @Test
    void secondConnectionToASessionIsRefused() {
        try (RawInitiator first = connect(); RawInitiator second = connect()) {
            first.login(TestTargets.DISK);
            second.tsih = first.tsih;
            second.send(second.loginRequest(0x80 | (1 << 2) | 3, "InitiatorName=" + RawInitiator.NAME,
                    "TargetName=" + TestTargets.DISK));
            assertThat(LoginNegotiation.status(second.receive())).isEqualTo(0x0206);
            assertThat(second.closedByTarget()).isTrue();
        }
        try (RawInitiator c = connect()) {
            c.tsih = 999;
            c.send(c.loginRequest(0x80 | (1 << 2) | 3, "InitiatorName=" + RawInitiator.NAME,
                    "TargetName=" + TestTargets.DISK));
            assertThat(LoginNegotiation.status(c.receive())).isEqualTo(0x020a);
        }
    }

    @Test
    void openerFailureIs0301() {
        failing.put(TestTargets.DISK, "disk.vhd is held by server b");
        try (RawInitiator c = connect()) {
            c.send(c.loginRequest(0x80 | (1 << 2) | 3, "InitiatorName=" + RawInitiator.NAME,
                    "TargetName=" + TestTargets.DISK));
            Pdu r = c.receive();
            assertThat(LoginNegotiation.status(r)).isEqualTo(0x0301);
            assertThat(c.closedByTarget()).isTrue();
        }
    }

    @Test
    void sendTargetsListsEveryTargetWithThisPortal() {
        try (RawInitiator c = connect()) {
            c.discoveryLogin();
            c.send(Pdu.of(Pdu.TEXT_REQUEST).immediate(true).flags(0x80).itt(++c.itt).u32(20, Pdu.RESERVED_TAG)
                    .u32(24, c.cmdSN).data(RawInitiator.text("SendTargets=All")));
            Pdu r = c.receive();
            assertThat(r.opcode()).isEqualTo(Pdu.TEXT_RESPONSE);
            String text = new String(r.data).replace('\0', '\n');
            assertThat(text).contains("TargetName=" + TestTargets.DISK + "\nTargetAddress=127.0.0.1:"
                    + server.port() + ",1\n");
            assertThat(text).contains("TargetName=" + TestTargets.MUTUAL);
            c.send(Pdu.of(Pdu.TEXT_REQUEST).immediate(true).flags(0x80).itt(++c.itt).u32(20, Pdu.RESERVED_TAG)
                    .u32(24, c.cmdSN).data(RawInitiator.text("SendTargets=" + TestTargets.GOLD)));
            assertThat(RawInitiator.keys(c.receive())).containsEntry("TargetName", TestTargets.GOLD).hasSize(2);
            // SCSI commands have no place in a discovery session
            c.send(c.command(new byte[6], 0, false, false, null, true));
            assertThat(c.receive().opcode()).isEqualTo(Pdu.REJECT);
        }
    }

    @Test
    void longTextResponsesContinueWithTheCBit() {
        TestTargets many = TestTargets.standard();
        for (int i = 0; i < 20; i++) {
            many.add(new IscsiTargetInfo("iqn.2025-01.org.diskfarm:extra-" + i, null, TestTargets.identity(100 + i),
                    null));
        }
        server.close();
        server = IscsiServer.start(new InetSocketAddress("127.0.0.1", 0), many,
                (target, initiator, address) -> MemoryDevice.wrap(gold, false), IscsiServerOptions.DEFAULTS);
        try (RawInitiator c = connect()) {
            c.send(c.loginRequest(0x80 | (1 << 2) | 3, "InitiatorName=" + RawInitiator.NAME, "SessionType=Discovery",
                    "MaxRecvDataSegmentLength=512"));
            assertThat(LoginNegotiation.status(c.receive())).isZero();
            c.send(Pdu.of(Pdu.TEXT_REQUEST).immediate(true).flags(0x80).itt(++c.itt).u32(20, Pdu.RESERVED_TAG)
                    .u32(24, c.cmdSN).data(RawInitiator.text("SendTargets=All")));
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            int parts = 0;
            while (true) {
                Pdu r = c.receive();
                assertThat(r.opcode()).isEqualTo(Pdu.TEXT_RESPONSE);
                assertThat(r.data.length).isLessThanOrEqualTo(512);
                all.writeBytes(r.data);
                parts++;
                if (r.finalBit()) {
                    assertThat(r.u32(20)).isEqualTo(Pdu.RESERVED_TAG);
                    break;
                }
                assertThat(r.flags() & 0x40).isEqualTo(0x40);
                c.send(Pdu.of(Pdu.TEXT_REQUEST).immediate(true).flags(0x80).itt(c.itt).u32(20, r.u32(20))
                        .u32(24, c.cmdSN));
            }
            assertThat(parts).isGreaterThan(1);
            String text = all.toString(java.nio.charset.StandardCharsets.UTF_8);
            for (String name : many.names()) {
                assertThat(text).contains("TargetName=" + name + "\0");
            }
        }
    }

    @Test
    void manyCommandsInFlightAllAnswered() {
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK, "ImmediateData=Yes", "InitialR2T=No", "FirstBurstLength=262144");
            Map<Integer, byte[]> expected = new java.util.HashMap<>();
            java.util.List<Integer> order = new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) {
                if (i % 3 == 2) {
                    byte[] data = new byte[4096];
                    Arrays.fill(data, (byte) i);
                    c.send(c.command(RawInitiator.write10(2048 + i * 8, 8), 4096, false, true, data, true));
                    expected.put(c.itt, null);
                } else {
                    int blocks = i % 2 == 0 ? 8 : 512; // 4 KiB inline, 256 KiB on a virtual thread
                    c.send(c.command(RawInitiator.read10(i * 64, blocks), blocks * 512, true, false, null, true));
                    expected.put(c.itt, Arrays.copyOfRange(disk, i * 64 * 512, i * 64 * 512 + blocks * 512));
                }
                order.add(c.itt);
            }
            Map<Integer, java.io.ByteArrayOutputStream> got = new java.util.HashMap<>();
            int done = 0;
            while (done < order.size()) {
                Pdu p = c.receive();
                got.computeIfAbsent(p.itt(), k -> new java.io.ByteArrayOutputStream()).writeBytes(p.data);
                boolean status = p.opcode() == Pdu.SCSI_RESPONSE || p.opcode() == Pdu.DATA_IN && (p.flags() & 1) != 0;
                if (status) {
                    assertThat(p.opcode() == Pdu.SCSI_RESPONSE ? p.u8(3) : p.u8(3)).isZero();
                    done++;
                }
            }
            for (int itt : order) {
                if (expected.get(itt) != null) {
                    assertThat(got.get(itt).toByteArray()).as("ITT %d", itt).isEqualTo(expected.get(itt));
                }
            }
            for (int i = 2; i < 24; i += 3) {
                assertThat(disk[(2048 + i * 8) * 512]).isEqualTo((byte) i);
            }
        }
    }

    /** A device that is not concurrent gets its commands one at a time, in CmdSN order. */
    @Test
    void nonConcurrentDeviceRunsCommandsOneAtATime() {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        java.util.List<Long> offsets = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        try (IscsiServer serial = IscsiServer.start(new InetSocketAddress("127.0.0.1", 0), TestTargets.standard(),
                (target, initiator, address) -> new org.diskfarm.block.ForwardingBlockDevice(
                        MemoryDevice.wrap(disk, true)) {
                    @Override
                    public boolean isConcurrent() {
                        return false;
                    }

                    @Override
                    public void read(long offset, ByteBuffer dst) {
                        most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        offsets.add(offset);
                        Thread.yield();
                        super.read(offset, dst);
                        inside.decrementAndGet();
                    }
                }, IscsiServerOptions.DEFAULTS);
                RawInitiator c = new RawInitiator(serial.port())) {
            c.login(TestTargets.DISK);
            for (int i = 0; i < 16; i++) {
                c.send(c.command(RawInitiator.read10(i, 1), 512, true, false, null, true));
            }
            for (int i = 0; i < 16; i++) {
                RawInitiator.Reply r = c.collect();
                assertThat(r.status).isZero();
                assertThat(r.pdus.get(0).itt()).isEqualTo(c.itt - 15 + i);
            }
        }
        assertThat(most.get()).isEqualTo(1);
        assertThat(offsets).isSorted();
    }

    @Test
    void asyncMessageAsksTheInitiatorToLogOut() {
        try (RawInitiator c = connect()) {
            c.login(TestTargets.DISK);
            assertThat(server.requestLogout(RawInitiator.NAME, 5)).isEqualTo(1);
            Pdu m = c.receive();
            assertThat(m.opcode()).isEqualTo(Pdu.ASYNC_MESSAGE);
            assertThat(m.u8(36)).isEqualTo(1);
            assertThat(m.u16(42)).isEqualTo(5);
        }
    }

    /** Seeded random PDUs, before and after login (mostly valid opcodes with random fields): never a crash. */
    @Test
    void garbageNeverStopsTheServer() throws Exception {
        int[] opcodes = {Pdu.NOP_OUT, Pdu.SCSI_COMMAND, Pdu.TASK_MGMT_REQUEST, Pdu.LOGIN_REQUEST, Pdu.TEXT_REQUEST,
            Pdu.DATA_OUT, Pdu.LOGOUT_REQUEST, Pdu.SNACK_REQUEST};
        int closedCount = 0;
        for (int seed = 0; seed < 60; seed++) {
            Random r = new Random(seed * 0x9E3779B97F4A7C15L);
            try (RawInitiator c = connect()) {
                boolean loggedIn = r.nextBoolean();
                if (loggedIn) {
                    c.login(TestTargets.DISK);
                }
                for (int i = 0; i < 8; i++) {
                    Pdu p = Pdu.of(0);
                    r.nextBytes(p.bhs);
                    int opcode = r.nextInt(4) == 0 ? r.nextInt(64) : opcodes[r.nextInt(opcodes.length)];
                    p.bhs[0] = (byte) ((r.nextBoolean() ? 0x40 : 0) | opcode);
                    p.bhs[4] = 0;
                    if (loggedIn && r.nextBoolean()) {
                        p.u32(24, c.cmdSN); // in the window, so that it is not merely dropped
                    }
                    p.data(new byte[r.nextInt(3) == 0 ? r.nextInt(600) : 0]);
                    c.send(p);
                }
                c.socket.setSoTimeout(200);
                try {
                    while (c.receive() != null) {
                        // whatever it says
                    }
                    closedCount++;
                } catch (AssertionError timeout) {
                    // still open: fine
                }
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                closedCount++; // reset by the target: fine
            }
        }
        assertThat(closedCount).as("some connections were dropped").isPositive();
        try (RawInitiator c = connect()) {
            c.login(TestTargets.GOLD);
            assertThat(c.execute(new byte[6], 0, false).status).isZero();
        }
    }

    @Test
    void nioTransportServesToo() {
        try (IscsiServer nio = IscsiServer.start(new InetSocketAddress("127.0.0.1", 0), TestTargets.standard(),
                (target, initiator, address) -> MemoryDevice.wrap(gold, false), IscsiServerOptions.DEFAULTS, false);
                RawInitiator c = new RawInitiator(nio.port())) {
            c.login(TestTargets.GOLD);
            assertThat(c.execute(RawInitiator.read10(0, 256), 131072, true).data)
                    .isEqualTo(Arrays.copyOf(gold, 131072));
            assertThat(nio.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void eventLoopsPollForTheWindowOfTheOptions() {
        assertThat(server.pollWindow()).isEqualTo(Duration.ofNanos(50_000));
        try (IscsiServer off = IscsiServer.start(new InetSocketAddress("127.0.0.1", 0), TestTargets.standard(),
                (target, initiator, address) -> MemoryDevice.wrap(gold, false),
                IscsiServerOptions.DEFAULTS.withPollWindow(Duration.ZERO), false);
                RawInitiator c = new RawInitiator(off.port())) {
            assertThat(off.pollWindow()).isZero();
            c.login(TestTargets.GOLD);
            assertThat(c.execute(RawInitiator.read10(0, 8), 4096, true).data).isEqualTo(Arrays.copyOf(gold, 4096));
        }
        assertThatThrownBy(() -> IscsiServerOptions.DEFAULTS.withPollWindow(Duration.ofMillis(11)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IscsiServerOptions.DEFAULTS.withPollWindow(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void portalsShowIpv6InBrackets() {
        assertThat(IscsiSession.address(new InetSocketAddress("::1", 3260))).isEqualTo("[0:0:0:0:0:0:0:1]:3260");
        assertThat(IscsiSession.address(new InetSocketAddress("10.1.2.3", 3260))).isEqualTo("10.1.2.3:3260");
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }
}
