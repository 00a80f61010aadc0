package org.diskfarm.cli;

import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.store.WriteCacheType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code diskfarm vdisk set FILE|NAME [options]}: changes a vDisk's properties, only the options given. A FILE is
 * edited offline: NAME.pvp beside it (created with defaults if missing) is replaced atomically. A NAME is a farm
 * vDisk, changed through the API (PATCH /api/v1/vdisks/NAME), and the servers rewrite its .pvp wherever it is held.
 *
 * <p>One command for both, because they set the same properties; which one is meant is told by the argument alone
 * ({@link #isFile(String)}), never by whether a server answers, so that a command line always does the same thing.
 */
@Command(name = "set",
        description = {"Change a vDisk's properties and show the result; only the options given change.",
                "FILE|NAME is a file if it names an existing file, ends in .vhd (any case) or contains a /: then "
                        + "NAME.pvp beside it is edited offline, while no server uses it (a missing one is created "
                        + "with defaults).",
                "Otherwise it is the name of a farm vDisk, changed through the server's API "
                        + "(--server, --token-file and --json apply to this form only)."})
final class VDiskSetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions api;

    @Parameters(paramLabel = "FILE|NAME", description = "The vDisk image NAME.vhd, or a farm vDisk's name.")
    String target;

    @Option(names = "--mode", paramLabel = "MODE", converter = Converters.Mode.class,
            completionCandidates = Converters.Modes.class,
            description = "private (one device reads and writes) or standard (shared read-only, writes to a cache).")
    VDiskMode mode;

    @Option(names = {"--write-cache-type", "--cache"}, paramLabel = "TYPE", converter = Converters.Cache.class,
            completionCandidates = Converters.Caches.class,
            description = "Where a Standard-mode device's writes go: ram, ram-overflow or server-disk.")
    WriteCacheType cache;

    @Option(names = {"--write-cache-size", "--cache-size"}, paramLabel = "SIZE", converter = Converters.Size.class,
            description = "The most one device's write cache holds: bytes, or a number with K, M, G or T.")
    Long cacheSize;

    @Option(names = "--description", paramLabel = "TEXT", description = "Free text for administrators.")
    String description;

    @Option(names = "--load-balancing", paramLabel = "true|false", arity = "1",
            converter = Converters.StrictBoolean.class,
            description = "Serve devices from the least busy server that holds a copy.")
    Boolean loadBalancing;

    @Option(names = "--high-availability", paramLabel = "true|false", arity = "1",
            converter = Converters.StrictBoolean.class,
            description = "Let devices fail over to another server that holds a copy.")
    Boolean highAvailability;

    @Override
    public Integer call() {
        if (cacheSize != null && cacheSize <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--write-cache-size must be at least 1 byte");
        }
        if (!isFile(target)) {
            return setInFarm();
        }
        if (api.anyGiven()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server, --token-file and --json apply "
                    + "to a farm vDisk's NAME; " + target + " is a file, edited offline");
        }
        return setOffline(Path.of(target));
    }

    /** True if {@code target} means a file rather than a farm vDisk's name: see the command's description. */
    static boolean isFile(String target) {
        if (target.contains("/") || target.toLowerCase(Locale.ROOT).endsWith(".vhd")) {
            return true;
        }
        try {
            return Files.exists(Path.of(target));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    private int setInFarm() {
        ObjectNode changes = ApiClient.object();
        if (mode != null) {
            changes.put("mode", mode.label());
        }
        if (cache != null) {
            changes.put("writeCacheType", cache.label());
        }
        if (cacheSize != null) {
            changes.put("writeCacheSize", cacheSize);
        }
        if (loadBalancing != null) {
            changes.put("loadBalancing", loadBalancing);
        }
        if (highAvailability != null) {
            changes.put("highAvailability", highAvailability);
        }
        if (description != null) {
            changes.put("description", description);
        }
        if (changes.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Nothing to change: give --mode, "
                    + "--write-cache-type, --write-cache-size, --load-balancing, --high-availability or --description");
        }
        try (ApiClient client = api.client()) {
            api.output().changed("updated vDisk " + target,
                    client.patch("/vdisks/" + ApiClient.segment(target), changes));
        } catch (CommandFailure e) {
            if (e.exitStatus() != ExitStatus.NOT_FOUND && e.exitStatus() != ExitStatus.UNREACHABLE) {
                throw e;
            }
            // Someone who meant a file in the current folder learns why a server was asked.
            throw new CommandFailure(e.exitStatus(), e.getMessage() + " (" + target + " is not a file here, so it "
                    + "was taken as a farm vDisk's name)");
        }
        return ExitStatus.OK;
    }

    private int setOffline(Path file) {
        VDiskFiles files = Arguments.vDiskFiles(spec, file);
        DiskImages.requireFile(files.vhd());
        VDiskProperties before = VDiskProperties.readIfPresent(files.pvp()).orElse(null);
        VDiskProperties after = apply(before == null ? VDiskProperties.DEFAULTS : before);
        PrintWriter out = spec.commandLine().getOut();
        if (after.equals(before)) {
            out.println(files.pvp() + ": unchanged");
        } else {
            after.write(files.pvp());
            out.println((before == null ? "created " : "updated ") + files.pvp());
        }
        PropertiesView.print(out, after, "  ");
        if (after.mode() == VDiskMode.PRIVATE && (after.loadBalancing() || after.highAvailability())) {
            out.println("note: load balancing and high availability apply to Standard mode only");
        }
        return 0;
    }

    private VDiskProperties apply(VDiskProperties p) {
        if (mode != null) {
            p = p.withMode(mode);
        }
        if (cache != null) {
            p = p.withWriteCacheType(cache);
        }
        if (cacheSize != null) {
            p = p.withWriteCacheSize(cacheSize);
        }
        if (description != null) {
            p = p.withDescription(description);
        }
        if (loadBalancing != null) {
            p = p.withLoadBalancing(loadBalancing);
        }
        if (highAvailability != null) {
            p = p.withHighAvailability(highAvailability);
        }
        return p;
    }
}
