package org.diskfarm.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.diskfarm.boot.IpxeScript;
import org.diskfarm.farm.Devices;
import org.diskfarm.farm.Farm;
import org.diskfarm.farm.FarmException;
import org.diskfarm.farm.MacAddress;
import org.diskfarm.farm.TargetDevice;

/**
 * The iPXE boot scripts devices fetch over HTTP (docs/network-boot.md): {@code GET /boot/<mac>.ipxe} sends a device
 * to its disk on every server holding an in-sync copy of its vDisk, and is its boot event (its write caches start
 * empty, wherever it connects next); {@code GET /boot.ipxe} asks iPXE for its MAC address and chains there. Devices
 * have no API token, so these are outside the API's access rules; they change nothing but the device's boot state
 * (and, when the administrator turned auto-add on, add an unknown device).
 */
final class BootRoutes {
    private static final System.Logger LOG = System.getLogger(BootRoutes.class.getName());

    private final FarmServer server;
    private final Farm farm;
    private final BootSettings settings;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    BootRoutes(FarmServer server) {
        this.server = server;
        this.farm = server.farm();
        this.settings = server.settings().boot();
    }

    void register(HttpRouting.Builder routing) {
        routing.get("/boot.ipxe", this::generic)
                .get("/boot/{file}", this::device);
    }

    private void generic(ServerRequest request, ServerResponse response) {
        script(response, Status.OK_200, IpxeScript.chainByMac(server.httpBaseUrl()));
    }

    private void device(ServerRequest request, ServerResponse response) {
        String file = request.path().pathParameters().get("file");
        Optional<MacAddress> mac = file.endsWith(".ipxe")
                ? MacAddress.tryParse(file.substring(0, file.length() - ".ipxe".length())) : Optional.empty();
        if (mac.isEmpty()) {
            if (warned.add("bad:" + ApiAccess.peer(request))) {
                LOG.log(System.Logger.Level.WARNING, "boot script request from {0} for ''{1}'': not <MAC>.ipxe "
                        + "(logged once per address)", ApiAccess.peer(request), file);
            }
            script(response, Status.BAD_REQUEST_400, IpxeScript.message("diskfarm: '" + file + "' is not a boot "
                    + "script name; devices fetch /boot/<MAC address>.ipxe"));
            return;
        }
        script(response, Status.OK_200, scriptFor(mac.get()));
    }

    /** The script for {@code mac}, and its boot event. */
    private String scriptFor(MacAddress mac) {
        try {
            Optional<Devices.Info> info = farm.devices().find(mac);
            if (info.isEmpty() && settings.autoAdd()) {
                info = Optional.of(autoAdd(mac));
            }
            if (info.isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "boot: {0} is not a device of the farm", mac);
                return IpxeScript.message("diskfarm: this machine (" + mac + ") is not a device of the farm.",
                        "diskfarm: ask your administrator to add it (diskfarm device add " + mac + " NAME --vdisk "
                                + "VDISK).");
            }
            if (info.get().vdisk() == null) {
                return IpxeScript.message("diskfarm: device " + info.get().name() + " (" + mac + ") has no vDisk "
                        + "assigned.", "diskfarm: assign one: diskfarm vdisk assign VDISK --device " + mac);
            }
        } catch (FarmException e) {
            if (e.kind() != FarmException.Kind.UNAVAILABLE) {
                throw e;
            }
            // The farm database is away: a device this server knows boots from it alone (below).
        }
        FarmServer.BootEvent boot = server.bootEvent(mac);
        if (boot.device().isEmpty()) {
            return IpxeScript.message("diskfarm: the farm database is unreachable and this server does not know "
                    + mac + "; try again later.");
        }
        TargetDevice target = boot.device().get();
        List<IpxeScript.SanPath> paths = boot.recorded() ? BootPaths.of(farm, server.name(), target)
                : List.of(new IpxeScript.SanPath(server.address(), server.iscsiPort(), 0,
                        IscsiExports.targetName(mac.toString())));
        if (paths.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "boot: {0}: no server that is up holds an in-sync copy of vDisk {1}",
                    target.describe(), target.vdisk());
            return IpxeScript.message("diskfarm: no server of the farm holds an in-sync copy of vDisk "
                    + target.vdisk() + " now; try again later.");
        }
        LOG.log(System.Logger.Level.INFO, "boot: {0} boots vDisk {1} through {2}", target.describe(), target.vdisk(),
                String.join(", ", paths.stream().map(p -> p.host() + ":" + p.port()).toList()));
        return IpxeScript.sanboot("diskfarm: " + target.describe() + " boots vDisk " + target.vdisk(),
                BootPaths.initiatorName(target), paths);
    }

    private Devices.Info autoAdd(MacAddress mac) {
        String name = "auto-" + mac.bare();
        try {
            farm.devices().add(List.of(new Devices.New(mac.toString(), name, "added at its first boot",
                    settings.autoAddCollection(), settings.autoAddVDisk())), "server " + server.name() + " (auto-add)");
            LOG.log(System.Logger.Level.INFO, "boot: added {0} as {1} to collection {2} with vDisk {3}", mac, name,
                    settings.autoAddCollection(), settings.autoAddVDisk());
        } catch (FarmException e) {
            if (e.kind() != FarmException.Kind.CONFLICT) { // another server added it at the same moment
                throw e;
            }
        }
        return farm.devices().find(mac).orElseThrow();
    }

    private static void script(ServerResponse response, Status status, String script) {
        response.status(status);
        response.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.header(HeaderNames.CACHE_CONTROL, "no-store");
        response.send(script.getBytes(StandardCharsets.UTF_8));
    }
}
