package org.diskfarm.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.diskfarm.block.StorageException;
import org.diskfarm.store.LocalStore;
import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskProperties;

/**
 * The store folders this server serves from: its own store ({@code DATA/store}, the farm's store {@code default}
 * unless configured otherwise) and every other store of the farm whose path exists on this machine. The list comes
 * from the farm at every scan ({@link #update}); between scans it is this server's last good copy, so streaming goes
 * on while the database is away. vDisks the farm took out ({@code notInFarm}) are not served.
 *
 * <p>The folders are the truth for what a vDisk holds; a name found in two stores is served from the first.
 */
final class StoreFolders {
    private volatile Map<String, LocalStore> stores;
    private volatile Set<String> notInFarm = Set.of();

    StoreFolders(String defaultStore, Path own) {
        this.stores = Map.of(defaultStore, new LocalStore(own));
    }

    /** The folders by store name, this server's own first. */
    Map<String, LocalStore> stores() {
        return stores;
    }

    /** Replaces the folders (keeping the order: own store first) and the vDisks not to serve. */
    void update(Map<String, Path> folders, Set<String> removed) {
        Map<String, LocalStore> fresh = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : folders.entrySet()) {
            fresh.put(e.getKey(), new LocalStore(e.getValue()));
        }
        stores = java.util.Collections.unmodifiableMap(fresh);
        notInFarm = Set.copyOf(removed);
    }

    /** The vDisks served now, by name, from every folder that exists. */
    List<VDiskFiles> vdisks() {
        List<VDiskFiles> all = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (LocalStore store : stores.values()) {
            if (!Files.isDirectory(store.dir())) {
                continue;
            }
            for (VDiskFiles files : store.vdisks()) {
                if (!notInFarm.contains(files.name()) && names.add(files.name())) {
                    all.add(files);
                }
            }
        }
        all.sort(java.util.Comparator.comparing(VDiskFiles::name));
        return all;
    }

    Optional<VDiskFiles> find(String name) {
        if (notInFarm.contains(name)) {
            return Optional.empty();
        }
        for (LocalStore store : stores.values()) {
            Optional<VDiskFiles> found = store.find(name);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /**
     * The vDisk's properties as its {@code .pvp} says now, or the defaults.
     *
     * @throws StorageException CORRUPT if the file is bad
     */
    VDiskProperties properties(VDiskFiles files) {
        return VDiskProperties.readIfPresent(files.pvp()).orElse(VDiskProperties.DEFAULTS);
    }

    /** The folders, for messages. */
    String describe() {
        List<String> dirs = new ArrayList<>();
        for (LocalStore store : stores.values()) {
            dirs.add(store.dir().toString());
        }
        return String.join(", ", dirs);
    }
}
