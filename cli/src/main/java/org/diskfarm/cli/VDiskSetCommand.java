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

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code diskfarm vdisk set FILE [options]}: edits a vDisk's properties offline. Only the options given change; a
 * missing NAME.pvp is created with defaults first. The file is replaced atomically.
 */
@Command(name = "set",
        description = {"Change a vDisk's properties (NAME.pvp) while no server uses it, and show the result.",
                "Only the options given change; a missing NAME.pvp is created with defaults."})
final class VDiskSetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(paramLabel = "FILE", description = "The vDisk image, NAME.vhd.")
    Path file;

    @Option(names = "--mode", paramLabel = "MODE", converter = Converters.Mode.class,
            completionCandidates = Converters.Modes.class,
            description = "private (one device reads and writes) or standard (shared read-only, writes to a cache).")
    VDiskMode mode;

    @Option(names = "--cache", paramLabel = "TYPE", converter = Converters.Cache.class,
            completionCandidates = Converters.Caches.class,
            description = "Where a Standard-mode device's writes go: ram, ram-overflow or server-disk.")
    WriteCacheType cache;

    @Option(names = "--cache-size", paramLabel = "SIZE", converter = Converters.Size.class,
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
        VDiskFiles files = Arguments.vDiskFiles(spec, file);
        DiskImages.requireFile(files.vhd());
        if (cacheSize != null && cacheSize <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--cache-size must be at least 1 byte");
        }
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
