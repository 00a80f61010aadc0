package org.diskfarm.testkit.vm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IscsiBootTest {
    @Test
    void rootPathFollowsRfc4173WithTheHostAsSlirpSeesIt() {
        IscsiBoot boot = IscsiBoot.of(3261, 1, "iqn.2026-11.org.diskfarm:boot");

        assertThat(boot.rootPath()).isEqualTo("iscsi:10.0.2.2::3261:1:iqn.2026-11.org.diskfarm:boot");
    }

    @Test
    void scriptSetsInitiatorAndChapBeforeSanbootAndReportsFailure() {
        String script = IscsiBoot.of(3261, 0, "iqn.2026-11.org.diskfarm:boot")
                .withInitiatorIqn("iqn.2026-11.org.diskfarm:vm1")
                .withChap("user", "secret123456")
                .withExtraLines("set san-drive 0x80")
                .script();

        assertThat(script).startsWith("#!ipxe\n").containsSubsequence(
                "dhcp\n",
                "set initiator-iqn iqn.2026-11.org.diskfarm:vm1\n",
                "set username user\n",
                "set password secret123456\n",
                "set san-drive 0x80\n",
                "sanboot iscsi:10.0.2.2::3261:0:iqn.2026-11.org.diskfarm:boot || goto failed\n",
                "echo DISKFARM-SANBOOT-FAILED errno ${errno}\n");
    }

    @Test
    void scriptWithoutChapSetsNoCredentials() {
        String script = IscsiBoot.of(3261, 0, "iqn.x").script();

        assertThat(script).doesNotContain("username", "password", "initiator-iqn");
    }

    @Test
    void chapNeedsBothNameAndSecret() {
        assertThatThrownBy(() -> new IscsiBoot(1, 0, "iqn.x", null, "user", null, java.util.List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CHAP needs both a user name and a password");
    }
}
