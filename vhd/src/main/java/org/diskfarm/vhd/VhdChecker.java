package org.diskfarm.vhd;

import org.diskfarm.block.FileStorage;
import org.diskfarm.block.StorageException;
import org.diskfarm.block.StorageFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The strict structure check behind {@code vdisk verify}: everything {@link VhdLayout} checks when opening, listed
 * instead of thrown, plus what a reader does not need but an administrator wants to know (the two footers differ,
 * unused space, a geometry that does not match the size), then the parent chain. QEMU has no check for VHD files,
 * so this is the one that must be strict. It writes nothing.
 */
final class VhdChecker {
    private VhdChecker() {
    }

    static VhdCheckReport check(Path path, VhdOptions options) {
        Problems.Collecting problems = Problems.collecting();
        VhdType type = checkFile(path, options, problems);
        if (type == VhdType.DIFFERENCING) {
            checkChain(path, options, problems);
        }
        return new VhdCheckReport(path.toString(), problems.problems());
    }

    /** Checks one file's own structure; returns its type, or null if it could not be read. */
    private static VhdType checkFile(Path path, VhdOptions options, Problems.Collecting problems) {
        StorageFile file;
        try {
            file = options.opener().open(path, FileStorage.Mode.READ_ONLY);
        } catch (StorageException e) {
            problems.error("", e.getMessage());
            return null;
        }
        try {
            VhdLayout layout = VhdLayout.read(file, problems);
            checkExtras(layout, problems);
            return layout.type();
        } catch (Problems.Stop stop) {
            return null;
        } catch (StorageException e) {
            problems.error("", e.getMessage());
            return null;
        } finally {
            file.close();
        }
    }

    private static void checkExtras(VhdLayout layout, Problems problems) {
        VhdFooter footer = layout.footer;
        if (layout.type() != VhdType.FIXED && !layout.footerRecovered) {
            VhdFooter.Decoded copy = VhdFooter.decode(VhdLayout.readBytes(layout.file, 0, VhdFooter.SIZE));
            if (copy.footer() == null) {
                problems.warning("footer copy at offset 0", copy.problem());
            } else if (!copy.footer().equals(footer)) {
                problems.warning("footer copy at offset 0", "differs from the footer at the end");
            }
        }
        long sectors = footer.currentSize() / VhdFields.SECTOR;
        if (sectors < Geometry.MAX.sectors() && footer.geometry().sectors() * VhdFields.SECTOR
                != footer.currentSize() && !footer.geometry().equals(Geometry.forSectors(sectors))) {
            problems.warning("footer", "geometry " + footer.geometry() + " addresses "
                    + footer.geometry().sectors() * VhdFields.SECTOR + " bytes, not the virtual size "
                    + footer.currentSize() + " (Virtual PC would see a different size)");
        }
        if (layout.type() == VhdType.FIXED && layout.fileSize - VhdFooter.SIZE > footer.currentSize()) {
            problems.warning("footer", (layout.fileSize - VhdFooter.SIZE - footer.currentSize())
                    + " bytes between the data and the footer are not part of the disk");
        }
        if (layout.type() == VhdType.DYNAMIC && !layout.header.parentUniqueId().equals(new java.util.UUID(0, 0))) {
            problems.warning("dynamic header", "a dynamic disk that names a parent (Unique Id "
                    + layout.header.parentUniqueId() + "): was it a differencing disk?");
        }
        if (layout.type() != VhdType.FIXED && !layout.footerRecovered) {
            long unused = layout.fileSize - VhdFooter.SIZE - layout.dataEnd;
            if (unused > 0) {
                problems.warning("", unused + " bytes after the last block are not used (left by an interrupted "
                        + "write; the next new block reuses them)");
            }
        }
    }

    /**
     * Opens the chain as a reader would, so that a missing parent, a wrong Unique Id or a loop is reported as that
     * reader would see it; then checks each parent's own structure.
     */
    private static void checkChain(Path path, VhdOptions options, Problems.Collecting problems) {
        List<String> parents = new ArrayList<>();
        try (VhdDevice device = Vhd.open(path, VhdOptions.readOnly().withOpener(options.opener()))) {
            for (VhdInfo link = device.info().parent(); link != null; link = link.parent()) {
                parents.add(link.file());
            }
        } catch (StorageException e) {
            problems.error("parent chain", e.getMessage());
            return;
        }
        for (String parent : parents) {
            Problems.Collecting own = Problems.collecting();
            checkFile(Path.of(parent), options, own);
            for (VhdProblem problem : own.problems()) {
                String where = "parent " + parent + (problem.where().isEmpty() ? "" : ": " + problem.where());
                if (problem.severity() == VhdProblem.Severity.ERROR) {
                    problems.error(where, problem.what());
                } else {
                    problems.warning(where, problem.what());
                }
            }
        }
    }
}
