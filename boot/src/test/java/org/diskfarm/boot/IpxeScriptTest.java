package org.diskfarm.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class IpxeScriptTest {
    @Test
    void aSanbootScriptNamesEveryPathOnOneLine() {
        String script = IpxeScript.sanboot("diskfarm: pc01 boots lab", "iqn.2026-11.org.diskfarm:5254000012",
                List.of(new IpxeScript.SanPath("10.0.0.5", 3260, 0, "iqn.2026-11.org.diskfarm:device:525400000001"),
                        new IpxeScript.SanPath("10.0.0.6", 3261, 0, "iqn.2026-11.org.diskfarm:device:525400000001")));
        assertThat(script).startsWith("#!ipxe\n").contains(
                "set initiator-iqn iqn.2026-11.org.diskfarm:5254000012\n",
                "sanboot iscsi:10.0.0.5::3260:0:iqn.2026-11.org.diskfarm:device:525400000001 "
                        + "iscsi:10.0.0.6::3261:0:iqn.2026-11.org.diskfarm:device:525400000001 || goto failed\n",
                "echo diskfarm: sanboot failed (errno ${errno})\n");
    }

    @Test
    void textFromTheFarmCannotExpandOrChainInTheScript() {
        String script = IpxeScript.message("device ${evil} || chain http://x/\nshell");
        assertThat(script).contains("echo device __evil_ __ chain http://x/_shell\n").doesNotContain("${evil}");
        assertThat(IpxeScript.chainByMac("http://10.0.0.5:8080")).contains(
                "chain http://10.0.0.5:8080/boot/${netX/mac}.ipxe || goto failed");
        assertThatThrownBy(() -> IpxeScript.sanboot("t", "iqn", List.of())).isInstanceOf(
                IllegalArgumentException.class);
        assertThat(new IpxeScript.SanPath("fd00::5", 3260, 0, "iqn.x").uri()).isEqualTo("iscsi:[fd00::5]::3260:0:iqn.x");
        assertThatThrownBy(() -> new IpxeScript.SanPath("10.0.0.5 || shell", 3260, 0, "iqn.x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IpxeScript.SanPath("10.0.0.5", 3260, 0, "iqn.${x}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpxeScript.chainByMac("http://x/${y}")).isInstanceOf(IllegalArgumentException.class);
        assertThat(IpxeScript.chainByMac("http://[fd00::5]:8080")).contains("chain http://[fd00::5]:8080/boot/");
    }
}
