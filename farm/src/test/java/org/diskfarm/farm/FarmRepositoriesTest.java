package org.diskfarm.farm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Stores, vDisks, devices, collections and the audit log, with their rules, on both engines. */
class FarmRepositoriesTest {
    private static final String ADMIN = "admin@127.0.0.1";
    private static final VDisks.Properties STANDARD = new VDisks.Properties("standard", "ram", 1 << 20, false, false,
            "");

    @RegisterExtension
    final FarmEngines engines = new FarmEngines();

    private Farm farm(FarmEngines.Engine engine) throws Exception {
        Farm farm = engines.farm(engine, new FarmEngines.TestClock());
        farm.stores().ensure("default", "srv1", "/srv/store");
        farm.vdisks().recordScan("srv1", "default", List.of(
                new VDisks.Scanned("win10", 0, 1 << 30, 1000, 1000, STANDARD, null),
                new VDisks.Scanned("linux", 0, 1 << 29, 1000, 0, STANDARD, null)));
        return farm;
    }

    @ParameterizedTest
    @MethodSource("org.diskfarm.farm.FarmEngines#engines")
    void devicesAreAddedAllOrNothingWithClearReasons(FarmEngines.Engine engine) throws Exception {
        Farm farm = farm(engine);
        farm.collections().add("lab1", "first floor", ADMIN);
        List<Devices.Info> added = farm.devices().add(List.of(
                new Devices.New("52:54:00:00:00:01", "pc01", "", "lab1", "win10"),
                new Devices.New("52-54-00-00-00-02", "pc02", "front row", "lab1", null)), ADMIN);
        assertThat(added).extracting(d -> d.mac().toString()).containsExactly("52:54:00:00:00:01",
                "52:54:00:00:00:02");
        assertThat(added.get(1).vdisk()).isNull();
        assertThat(added.get(0).bootState()).isEqualTo("off");

        expect(() -> farm.devices().add(List.of(new Devices.New("52:54:00:00:00:03", "pc03", "", null, null),
                        new Devices.New("zz:54:00:00:00:04", "pc04", "", null, null)), ADMIN),
                FarmException.Kind.INVALID, "device 2 of 2: not a MAC address: 'zz:54:00:00:00:04'");
        expect(() -> farm.devices().add(List.of(new Devices.New("52:54:00:00:00:03", "pc03", "", null, null),
                        new Devices.New("52:54:00:00:00:01", "pc09", "", null, null)), ADMIN),
                FarmException.Kind.CONFLICT, "device 2 of 2: MAC address 52:54:00:00:00:01 is device pc01 already");
        expect(() -> farm.devices().add(List.of(new Devices.New("52:54:00:00:00:05", "pc01", "", null, null)), ADMIN),
                FarmException.Kind.CONFLICT, "a device named pc01 exists already");
        expect(() -> farm.devices().add(List.of(new Devices.New("52:54:00:00:00:05", "pc05", "", null, "nope")),
                ADMIN), FarmException.Kind.NOT_FOUND, "no vDisk named nope in the farm");
        expect(() -> farm.devices().add(List.of(new Devices.New("52:54:00:00:00:05", "pc05", "", "lab9", null)),
                ADMIN), FarmException.Kind.NOT_FOUND, "no collection named lab9");
        assertThat(farm.devices().all()).as("a refused list adds nothing").hasSize(2);
    }

    @ParameterizedTest
    @MethodSource("org.diskfarm.farm.FarmEngines#engines")
    void assignmentsAndRemovalsKeepReferencesWhole(FarmEngines.Engine engine) throws Exception {
        Farm farm = farm(engine);
        farm.collections().add("lab1", "", ADMIN);
        farm.devices().add(List.of(new Devices.New("52:54:00:00:00:01", "pc01", "", "lab1", null),
                new Devices.New("52:54:00:00:00:02", "pc02", "", "lab1", null),
                new Devices.New("52:54:00:00:00:03", "pc03", "", null, null)), ADMIN);
        assertThat(farm.devices().assignCollection("win10", "lab1", ADMIN)).isEqualTo(2);
        assertThat(farm.devices().assign("linux", List.of(MacAddress.parse("52:54:00:00:00:03")), ADMIN))
                .isEqualTo(1);
        assertThat(farm.vdisks().find("win10").orElseThrow().devices()).isEqualTo(2);

        expect(() -> farm.vdisks().remove("win10", ADMIN), FarmException.Kind.CONFLICT,
                "vDisk win10 is assigned to 2 device(s); assign them another vDisk first");
        expect(() -> farm.collections().remove("lab1", ADMIN), FarmException.Kind.CONFLICT,
                "collection lab1 holds 2 device(s); move or remove them first");
        expect(() -> farm.stores().remove("default", ADMIN), FarmException.Kind.CONFLICT,
                "store default holds 2 vDisk(s); remove them from the farm first");

        farm.devices().update(MacAddress.parse("52:54:00:00:00:03"),
                new Devices.Change(null, null, null, Optional.empty()), ADMIN);
        farm.vdisks().remove("linux", ADMIN);
        assertThat(farm.vdisks().find("linux")).isEmpty();
        assertThat(farm.vdisks().list(100, 0).items()).extracting(VDisks.Info::name).containsExactly("win10");
        expect(() -> farm.devices().assign("linux", List.of(MacAddress.parse("52:54:00:00:00:03")), ADMIN),
                FarmException.Kind.NOT_FOUND, "no vDisk named linux in the farm");
        farm.devices().remove(MacAddress.parse("52:54:00:00:00:03"), ADMIN);
        expect(() -> farm.devices().remove(MacAddress.parse("52:54:00:00:00:03"), ADMIN),
                FarmException.Kind.NOT_FOUND, "no device with MAC address 52:54:00:00:00:03");
    }

    @ParameterizedTest
    @MethodSource("org.diskfarm.farm.FarmEngines#engines")
    void everyChangeIsAuditedAndListsArePaged(FarmEngines.Engine engine) throws Exception {
        Farm farm = farm(engine);
        List<Devices.New> room = new java.util.ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            room.add(new Devices.New(String.format("52:54:00:00:01:%02x", i), String.format("pc%02d", i), "", null,
                    "win10"));
        }
        farm.devices().add(room, ADMIN);
        farm.vdisks().update("win10", new VDisks.Change("private", null, null, true, null, "golden"), ADMIN);

        Page<Devices.Info> second = farm.devices().list(null, "win10", 10, 10);
        assertThat(second.total()).isEqualTo(25);
        assertThat(second.items()).extracting(Devices.Info::name).first().isEqualTo("pc11");
        assertThat(second.hasNext()).isTrue();
        assertThat(farm.devices().list(null, null, 10, 20).hasNext()).isFalse();

        Page<AuditLog.Entry> audit = farm.audit().list(3, 0);
        assertThat(audit.items().getFirst().action()).isEqualTo("vdisk.set");
        assertThat(audit.items().getFirst().detail()).isEqualTo("mode standard -> private, load balancing true, "
                + "description 'golden'");
        assertThat(audit.items().getFirst().actor()).isEqualTo(ADMIN);
        assertThat(audit.total()).as("store, 2 vDisks found, 25 devices, 1 change").isEqualTo(1 + 2 + 25 + 1);
        expect(() -> farm.devices().list(null, null, 0, 0), FarmException.Kind.INVALID, "limit must be 1 to 1000: 0");
    }

    @ParameterizedTest
    @MethodSource("org.diskfarm.farm.FarmEngines#engines")
    void scansMirrorThePropertiesFilesWhicheverChangedLast(FarmEngines.Engine engine) throws Exception {
        FarmEngines.TestClock clock = new FarmEngines.TestClock();
        Farm farm = engines.farm(engine, clock);
        farm.stores().ensure("default", "srv1", "/a/store");
        farm.stores().ensure("default", "srv2", "/b/store");
        assertThat(farm.stores().find("default").orElseThrow().pathFor("srv2")).isEqualTo("/b/store");
        long t0 = clock.millis() - 60_000;
        VDisks.Scanned onDisk = new VDisks.Scanned("win10", 0, 4096, t0, t0, STANDARD, null);
        assertThat(farm.vdisks().recordScan("srv1", "default", List.of(onDisk)).rewrite()).isEmpty();

        // An administrator changes the vDisk in the farm: both servers are told to rewrite their .pvp.
        farm.vdisks().update("win10", new VDisks.Change(null, "server-disk", 2L << 20, null, null, null), ADMIN);
        VDisks.ScanResult result = farm.vdisks().recordScan("srv2", "default", List.of(onDisk));
        assertThat(result.rewrite().get("win10").writeCacheType()).isEqualTo("server-disk");

        // Someone edits srv1's .pvp by hand later: the file wins.
        VDisks.Properties edited = new VDisks.Properties("private", "ram", 1 << 20, false, true, "by hand");
        clock.advance(1000);
        VDisks.Scanned editedOnDisk = new VDisks.Scanned("win10", 0, 4096, t0, clock.millis(), edited, "sha256:ab");
        assertThat(farm.vdisks().recordScan("srv1", "default", List.of(editedOnDisk)).rewrite()).isEmpty();
        VDisks.Info info = farm.vdisks().find("win10").orElseThrow();
        assertThat(info.properties()).isEqualTo(edited);
        assertThat(info.copies()).extracting(VDisks.Copy::server).containsExactly("srv1", "srv2");
        assertThat(farm.vdisks().knownHash("srv1", "win10", 0, 4096, t0)).contains("sha256:ab");
        assertThat(farm.vdisks().knownHash("srv1", "win10", 0, 4096, t0 + 1)).isEmpty();

        // Removed from the farm, it stays out while its image is unchanged, and srv2 forgets a copy it lost.
        farm.vdisks().remove("win10", ADMIN);
        assertThat(farm.vdisks().recordScan("srv1", "default", List.of(editedOnDisk)).notInFarm())
                .containsExactly("win10");
        assertThat(farm.vdisks().find("win10")).isEmpty();
        clock.advance(1000);
        farm.vdisks().recordScan("srv1", "default", List.of(new VDisks.Scanned("win10", 0, 8192, clock.millis(),
                t0, STANDARD, null)));
        farm.vdisks().recordScan("srv2", "default", List.of());
        assertThat(farm.vdisks().find("win10").orElseThrow().copies()).extracting(VDisks.Copy::server)
                .containsExactly("srv1");
    }

    @ParameterizedTest
    @MethodSource("org.diskfarm.farm.FarmEngines#engines")
    void badNamesAndValuesAreRefusedBeforeAnythingIsWritten(FarmEngines.Engine engine) throws Exception {
        Farm farm = farm(engine);
        expect(() -> farm.collections().add("../x", "", ADMIN), FarmException.Kind.INVALID,
                "not a valid collection name: '../x' (letters, digits, . _ -; at most 128 characters, starting with "
                        + "a letter or digit)");
        expect(() -> farm.vdisks().update("win10", new VDisks.Change("shared", null, null, null, null, null), ADMIN),
                FarmException.Kind.INVALID, "mode must be private or standard, not 'shared'");
        expect(() -> farm.vdisks().update("win10", new VDisks.Change(null, null, 0L, null, null, null), ADMIN),
                FarmException.Kind.INVALID, "write cache size must be at least 1 byte: 0");
        expect(() -> farm.stores().add("extra", "/nowhere", "", path -> {
            throw FarmException.invalid("store path " + path + " does not exist");
        }, ADMIN), FarmException.Kind.INVALID, "store path /nowhere does not exist");
        assertThat(farm.stores().list()).hasSize(1);
        assertThat(farm.audit().list(100, 0).items()).noneMatch(e -> e.actor().equals(ADMIN));
    }

    @ParameterizedTest
    @MethodSource("org.diskfarm.farm.FarmEngines#engines")
    void theFirstTokenIsMadeOnceAndOnlyItsHashIsKept(FarmEngines.Engine engine) throws Exception {
        Farm farm = farm(engine);
        String token = farm.tokens().createFirst().orElseThrow();
        assertThat(farm.tokens().createFirst()).isEmpty();
        assertThat(farm.tokens().valid(token)).isTrue();
        assertThat(farm.tokens().valid(token + "x")).isFalse();
        String stored = farm.db().withHandle(h -> h.createQuery("SELECT sha256 FROM api_tokens").mapTo(String.class)
                .one());
        assertThat(stored).isEqualTo(ApiTokens.sha256(token)).doesNotContain(token);
    }

    static void expect(Runnable change, FarmException.Kind kind, String message) {
        assertThatThrownBy(change::run).isInstanceOfSatisfying(FarmException.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }
}
