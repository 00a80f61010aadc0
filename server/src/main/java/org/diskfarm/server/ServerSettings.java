package org.diskfarm.server;

import java.nio.file.Path;
import java.util.Objects;
import org.diskfarm.iscsi.IscsiServerOptions;
import org.diskfarm.nbd.NbdServerOptions;

/**
 * How one farm server runs: its data folder and name, the address it binds, and its ports (0 picks a free port, which
 * tests use).
 *
 * @param data      the data folder: {@code store/}, {@code cache/}, {@code devices.csv}
 * @param name      the server's name in the farm, in locks and logs
 * @param bind      the address every listener binds
 * @param nbdPort   NBD (10809 by default, the IANA port)
 * @param httpPort  the HTTP API
 * @param iscsiPort iSCSI (3260, the IANA port)
 * @param nbd       how NBD connections are served (zero-copy and inline-read thresholds, timeouts)
 * @param iscsi     how iSCSI connections are served (login deadline, NOP-In pings)
 * @param farm      the farm database, the lease, the API's access rules
 * @param boot      network boot: the advertised address, TFTP, proxy DHCP, auto-add
 */
public record ServerSettings(Path data, String name, String bind, int nbdPort, int httpPort, int iscsiPort,
        NbdServerOptions nbd, IscsiServerOptions iscsi, FarmSettings farm, BootSettings boot) {
    public static final int NBD_PORT = 10809;
    public static final int HTTP_PORT = 8080;
    public static final int ISCSI_PORT = 3260;

    public ServerSettings {
        Objects.requireNonNull(data);
        Objects.requireNonNull(name);
        Objects.requireNonNull(bind);
        Objects.requireNonNull(nbd);
        Objects.requireNonNull(iscsi);
        Objects.requireNonNull(farm);
        Objects.requireNonNull(boot);
        for (int port : new int[] {nbdPort, httpPort, iscsiPort}) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }
    }

    /** With the default NBD and iSCSI options and the embedded farm database of {@code data}. */
    public ServerSettings(Path data, String name, String bind, int nbdPort, int httpPort, int iscsiPort) {
        this(data, name, bind, nbdPort, httpPort, iscsiPort, NbdServerOptions.DEFAULTS, IscsiServerOptions.DEFAULTS,
                FarmSettings.embedded(data), BootSettings.defaults(data));
    }

    public ServerSettings withFarm(FarmSettings value) {
        return new ServerSettings(data, name, bind, nbdPort, httpPort, iscsiPort, nbd, iscsi, value, boot);
    }

    public ServerSettings withBoot(BootSettings value) {
        return new ServerSettings(data, name, bind, nbdPort, httpPort, iscsiPort, nbd, iscsi, farm, value);
    }

    /** The store this server keeps in its data folder is the farm's store of this name (unless set otherwise). */
    public static final String DEFAULT_STORE = "default";

    public Path store() {
        return data.resolve("store");
    }

    public Path cache() {
        return data.resolve("cache");
    }

    public Path devicesFile() {
        return data.resolve("devices.csv");
    }

    /** Which iSCSI targets need CHAP, and the secrets ({@link org.diskfarm.farm.ChapSecretsFile}). */
    public Path chapSecretsFile() {
        return data.resolve("chap-secrets.csv");
    }
}
