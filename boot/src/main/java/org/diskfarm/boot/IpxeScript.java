package org.diskfarm.boot;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The iPXE scripts the farm hands to booting devices (iPXE's scripting language: docs at ipxe.org/scripting).
 * Everything a script prints comes from the farm (device and vDisk names, addresses), so text is reduced to
 * characters that iPXE's parser takes literally: no {@code $} (settings expansion), no {@code ||}/{@code &&}, no
 * newlines.
 */
public final class IpxeScript {
    /** Printed when {@code sanboot} returns, which it only does when every path failed. */
    public static final String SANBOOT_FAILED = "diskfarm: sanboot failed";

    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9 ._:,()/@+=-]");
    /** What a host (name, IPv4 or IPv6 address) and an iSCSI name (RFC 3720 3.2.6.2) may hold in a script. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:-]+");
    private static final Pattern IQN = Pattern.compile("[a-z0-9.:-]+");
    private static final Pattern BASE_URL = Pattern.compile("https?://(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+)(:\\d+)?");

    /**
     * One path to a device's disk: an iSCSI target as RFC 4173 root paths name it,
     * {@code iscsi:<server>:<protocol>:<port>:<lun>:<targetname>} (protocol empty: TCP).
     */
    public record SanPath(String host, int port, int lun, String targetIqn) {
        public SanPath {
            Objects.requireNonNull(host);
            Objects.requireNonNull(targetIqn);
            // These go into the sanboot command as they are: nothing iPXE would expand or split may pass.
            if (!HOST.matcher(host).matches() || !IQN.matcher(targetIqn).matches()) {
                throw new IllegalArgumentException("bad SAN path: host '" + host + "', target '" + targetIqn + "'");
            }
            if (port < 1 || port > 65535 || lun < 0) {
                throw new IllegalArgumentException("bad SAN path: " + host + ":" + port + " LUN " + lun);
            }
        }

        public String uri() {
            String server = host.contains(":") ? "[" + host + "]" : host;
            return "iscsi:" + server + "::" + port + ":" + lun + ":" + targetIqn;
        }
    }

    private IpxeScript() {
    }

    /**
     * Boots a device from its disk: sets its initiator name and {@code sanboot}s all paths at once; iPXE uses the
     * first that answers and reopens through the others if that one fails (iPXE's SAN multipath), which is how a boot
     * survives the loss of a server.
     *
     * @param title        one line for the device's screen
     * @param initiatorIqn the device's iSCSI initiator name
     * @param paths        every server holding an in-sync copy of its vDisk, preferred first
     */
    public static String sanboot(String title, String initiatorIqn, List<SanPath> paths) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("a sanboot script needs at least one path");
        }
        StringBuilder script = new StringBuilder("#!ipxe\n");
        script.append("echo ").append(text(title)).append('\n');
        if (!IQN.matcher(initiatorIqn).matches()) {
            throw new IllegalArgumentException("bad initiator name: '" + initiatorIqn + "'");
        }
        script.append("set initiator-iqn ").append(initiatorIqn).append('\n');
        for (SanPath path : paths) {
            script.append("echo diskfarm: path ").append(text(path.uri())).append('\n');
        }
        script.append("sanboot");
        for (SanPath path : paths) {
            script.append(' ').append(path.uri());
        }
        script.append(" || goto failed\n");
        script.append(":failed\n");
        script.append("echo ").append(SANBOOT_FAILED).append(" (errno ${errno})\n");
        script.append("sleep 10\n");
        script.append("exit 1\n");
        return script.toString();
    }

    /**
     * A script that only tells the person at the device why it does not boot, waits so that it can be read, and
     * gives the machine back to its firmware (the next boot device).
     */
    public static String message(String... lines) {
        StringBuilder script = new StringBuilder("#!ipxe\n");
        for (String line : lines) {
            script.append("echo ").append(text(line)).append('\n');
        }
        script.append("sleep 30\n");
        script.append("exit 1\n");
        return script.toString();
    }

    /**
     * The generic script ({@code /boot.ipxe}): asks the device for its MAC address and chains to its own script at
     * {@code baseUrl + "/boot/" + MAC + ".ipxe"}; {@code ${netX/mac}} is the MAC of the interface iPXE booted from.
     */
    public static String chainByMac(String baseUrl) {
        if (!BASE_URL.matcher(baseUrl).matches()) {
            throw new IllegalArgumentException("not a base URL for boot scripts: '" + baseUrl + "'");
        }
        return "#!ipxe\n"
                + "echo diskfarm: fetching the boot script of ${netX/mac}\n"
                + "chain " + baseUrl + "/boot/${netX/mac}.ipxe || goto failed\n"
                + ":failed\n"
                + "echo diskfarm: no boot script (errno ${errno})\n"
                + "sleep 10\n"
                + "exit 1\n";
    }

    /** {@code text} as iPXE prints it literally. */
    static String text(String text) {
        return UNSAFE.matcher(text).replaceAll("_");
    }
}
