package org.diskfarm.vhd;

import org.diskfarm.block.FileStorage;
import org.diskfarm.block.StorageException;
import org.diskfarm.block.StorageFile;

import java.nio.ByteBuffer;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Opens a VHD file and, for a differencing disk, its chain of parents: finds each parent through the parent locators,
 * checks that it is the disk the child was made over (Unique Id, time stamp, size), and refuses chains that loop.
 */
final class VhdChain {
    /** Deepest chain we open: versions are merged long before this. */
    static final int MAX_DEPTH = 256;

    private VhdChain() {
    }

    static VhdDevice open(Path file, VhdOptions options) {
        return open(file, options, options.writable(), new LinkedHashSet<>());
    }

    private static VhdDevice open(Path path, VhdOptions options, boolean writable, Set<Path> children) {
        Path key = path.toAbsolutePath().normalize();
        if (children.contains(key)) {
            List<String> names = new ArrayList<>();
            children.forEach(p -> names.add(p.getFileName().toString()));
            names.add(key.getFileName().toString());
            throw StorageException.corrupt(children.iterator().next() + ": parent chain loops: "
                    + String.join(" -> ", names));
        }
        if (children.size() >= MAX_DEPTH) {
            throw StorageException.corrupt(children.iterator().next() + ": parent chain is deeper than "
                    + MAX_DEPTH);
        }
        StorageFile file = options.opener().open(path,
                writable ? FileStorage.Mode.READ_WRITE : FileStorage.Mode.READ_ONLY);
        try {
            VhdLayout layout = VhdLayout.read(file, Problems.throwing(file.name()));
            VhdOptions own = options.withWritable(writable);
            return switch (layout.type()) {
                case FIXED -> new FixedVhdDevice(layout, writable);
                case DYNAMIC -> new DynamicVhdDevice(layout, null, own);
                case DIFFERENCING -> {
                    Set<Path> chain = new LinkedHashSet<>(children);
                    chain.add(key);
                    VhdDevice parent = openParent(path, layout, options, chain);
                    try {
                        checkParent(file.name(), layout, parent);
                        yield new DynamicVhdDevice(layout, parent, own);
                    } catch (RuntimeException e) {
                        parent.close();
                        throw e;
                    }
                }
            };
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static VhdDevice openParent(Path child, VhdLayout layout, VhdOptions options, Set<Path> chain) {
        List<Path> candidates = parentCandidates(child, layout);
        for (Path candidate : candidates) {
            if (options.opener().exists(candidate)) {
                return open(candidate, options, false, chain);
            }
        }
        String name = layout.header.parentUnicodeName();
        throw new StorageException(StorageException.Kind.NOT_FOUND, layout.file.name() + ": parent disk "
                + (name.isEmpty() ? "" : "\"" + name + "\" ") + "not found (looked for "
                + (candidates.isEmpty() ? "no usable parent locator" : joined(candidates)) + ")");
    }

    private static String joined(List<Path> paths) {
        List<String> names = new ArrayList<>();
        paths.forEach(p -> names.add(p.toString()));
        return String.join(", ", names);
    }

    /** Where the parent may be, best first: the relative locator, the absolute one, then its name beside the child. */
    static List<Path> parentCandidates(Path child, VhdLayout layout) {
        Path folder = child.toAbsolutePath().getParent();
        Set<Path> candidates = new LinkedHashSet<>();
        for (int code : new int[] {ParentLocator.W2RU, ParentLocator.W2KU}) {
            for (ParentLocator locator : layout.header.locators()) {
                if (locator.platformCode() == code) {
                    addCandidate(candidates, folder, readLocator(layout, locator));
                }
            }
        }
        addCandidate(candidates, folder, layout.header.parentUnicodeName());
        return new ArrayList<>(candidates);
    }

    static String readLocator(VhdLayout layout, ParentLocator locator) {
        ByteBuffer data = VhdLayout.readBytes(layout.file, locator.dataOffset(), locator.dataLength());
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return DynamicHeader.utf16(bytes, true);
    }

    /** Windows paths ({@code .\base.vhd}, {@code C:\store\base.vhd}) become paths here; the name alone as a fallback. */
    private static void addCandidate(Set<Path> candidates, Path folder, String text) {
        if (text == null || text.isBlank()) {
            return;
        }
        String path = text.replace('\\', '/');
        try {
            boolean windowsAbsolute = path.length() > 2 && path.charAt(1) == ':';
            if (!windowsAbsolute) {
                candidates.add(folder.resolve(path).normalize());
            }
            Path name = Path.of(path).getFileName();
            if (name != null) {
                candidates.add(folder.resolve(name.toString()).normalize());
            }
        } catch (InvalidPathException e) {
            // A locator that is no path here (a NUL in it, say) is simply not a candidate.
        }
    }

    private static void checkParent(String child, VhdLayout layout, VhdDevice parent) {
        VhdFooter theirs = parent.layout.footer;
        DynamicHeader ours = layout.header;
        if (!theirs.uniqueId().equals(ours.parentUniqueId())) {
            throw StorageException.corrupt(child + ": parent " + parent.name() + " has unique id "
                    + theirs.uniqueId() + " but this disk was made over " + ours.parentUniqueId());
        }
        if (theirs.timestamp() != ours.parentTimestamp()) {
            throw StorageException.corrupt(child + ": parent " + parent.name() + " has time stamp " + theirs.time()
                    + " but this disk was made over one of " + ours.parentTime() + " (the parent was modified)");
        }
        if (theirs.currentSize() != layout.footer.currentSize()) {
            throw StorageException.corrupt(child + ": virtual size " + layout.footer.currentSize()
                    + " differs from the parent's " + theirs.currentSize());
        }
    }
}
