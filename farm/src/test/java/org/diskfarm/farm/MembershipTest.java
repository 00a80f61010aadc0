package org.diskfarm.farm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Servers join, beat, miss their lease and are marked down by the others, and leave; on both engines. */
class MembershipTest {
    @RegisterExtension
    final FarmEngines engines = new FarmEngines();

    @ParameterizedTest
    @MethodSource("org.diskfarm.farm.FarmEngines#engines")
    void aServerThatMissesItsLeaseIsMarkedDownByTheOthers(FarmEngines.Engine engine) throws Exception {
        FarmEngines.TestClock clock = new FarmEngines.TestClock();
        Farm farm = engines.farm(engine, clock);
        Servers.Load idle = new Servers.Load(0, 0, 0);
        farm.servers().register(new Servers.Registration("srv1", "i1", "10.0.0.1", 10809, 3260, 8080, 3000));
        farm.servers().register(new Servers.Registration("srv2", "i2", "10.0.0.2", 10809, 3260, 8080, 3000));
        assertThat(farm.servers().list()).extracting(Servers.Info::state).containsExactly("up", "up");

        clock.advance(2000);
        assertThat(farm.servers().heartbeat("srv1", "i1", new Servers.Load(3, 100, 50))).isTrue();
        clock.advance(1500);
        assertThat(farm.servers().list()).as("srv2 is past its lease even before anyone marks it")
                .extracting(Servers.Info::state).containsExactly("up", "down");
        assertThat(farm.servers().markExpired()).containsExactly("srv2");
        assertThat(farm.servers().markExpired()).as("marked once").isEmpty();
        Servers.Info srv1 = farm.servers().find("srv1").orElseThrow();
        assertThat(srv1.devices()).isEqualTo(3);
        assertThat(srv1.bytesRead()).isEqualTo(100);

        // srv2 comes back as a new process; a heartbeat of the old instance no longer counts.
        farm.servers().register(new Servers.Registration("srv2", "i3", "10.0.0.2", 10809, 3260, 8080, 3000));
        assertThat(farm.servers().heartbeat("srv2", "i2", idle)).isFalse();
        assertThat(farm.servers().heartbeat("srv2", "i3", idle)).isTrue();
        assertThat(farm.servers().list()).extracting(Servers.Info::state).containsExactly("up", "up");

        FarmRepositoriesTest.expect(() -> farm.servers().remove("srv2", "admin"), FarmException.Kind.CONFLICT,
                "server srv2 is up (last heartbeat " + clock.instant() + "); stop it before removing it from the farm");
        farm.servers().leave("srv2", "i3");
        farm.servers().remove("srv2", "admin");
        assertThat(farm.servers().list()).extracting(Servers.Info::name).containsExactly("srv1");
    }

    @ParameterizedTest
    @MethodSource("org.diskfarm.farm.FarmEngines#engines")
    void joiningBeatsAndLeavingMarksDownAtOnce(FarmEngines.Engine engine) throws Exception {
        Farm farm = new Farm(FarmDatabase.open(engines.location(engine)), java.time.Clock.systemUTC());
        try {
            Outage outage = new Outage("test");
            List<Runnable> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (Membership member = Membership.join(farm, "srv1", "127.0.0.1", 1, 2, 3, Duration.ofMillis(600),
                    () -> new Servers.Load(1, 2, 3), outage)) {
                member.onBeat(() -> ran.add(() -> { }));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (ran.size() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(ran).as("the beat runs the server's periodic work").hasSizeGreaterThanOrEqualTo(2);
                assertThat(farm.servers().find("srv1").orElseThrow().devices()).isEqualTo(1);
            }
            assertThat(farm.servers().find("srv1").orElseThrow().state()).isEqualTo("down");
            assertThat(outage.isDown()).isFalse();
        } finally {
            farm.db().close();
        }
    }
}
