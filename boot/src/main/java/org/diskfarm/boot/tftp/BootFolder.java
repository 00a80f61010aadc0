package org.diskfarm.boot.tftp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The files TFTP may send: one or more folders searched in order (an administrator's folder first, then a
 * distribution's, e.g. Debian's {@code /usr/lib/ipxe}); a name resolves to the first folder that holds a regular file
 * by that name. Nothing outside the folders can be reached:
 *
 * <ol>
 *   <li>A name with a control character (NUL included) is refused.</li>
 *   <li>Backslashes become slashes (Windows-minded clients send {@code boot\x.efi}).</li>
 *   <li>One leading slash is dropped: PXE ROMs often ask for {@code /undionly.kpxe}. A name still absolute after that
 *       ({@code //etc/passwd}) is refused.</li>
 *   <li>A {@code ..} segment is refused, wherever it is.</li>
 *   <li>The candidate is resolved with {@link Path#toRealPath} (symbolic links followed) and refused if the result is
 *       not inside the folder's own real path: a link that stays inside the folder is fine, one that leaves is not.</li>
 *   <li>The file is opened by its real path without following a final symbolic link, so a link swapped in after the
 *       check is not followed.</li>
 * </ol>
 *
 * Refusals are {@link TftpErrorCode#ACCESS_VIOLATION}; a name no folder holds is {@link TftpErrorCode#FILE_NOT_FOUND},
 * and so is a directory (with a message saying so). What this does not defend against: someone who can write into a
 * boot folder can swap a directory for a link between the check and the open; boot folders must be writable only by
 * administrators.
 *
 * <p>A folder may be declared {@link Folder#linksMayLeave() trusted with its links}: rule 5 is then skipped for it, all
 * other rules stay. That is for a distribution's folder that only root can write, whose packages link out on purpose:
 * Debian's {@code /usr/lib/ipxe/ipxe.efi} is a link to {@code /boot/ipxe.efi}.
 *
 * <p>Threads: immutable; any number of threads may resolve and open at once.
 */
public final class BootFolder implements TftpFiles {
    /**
     * One folder of the search list.
     *
     * @param path          the directory
     * @param linksMayLeave whether symbolic links in it may point outside it (for root-owned distribution folders)
     */
    public record Folder(Path path, boolean linksMayLeave) {
        public Folder {
            Objects.requireNonNull(path, "path");
        }

        /** A folder nothing leads out of, links included: the default for anything an administrator fills. */
        public static Folder confined(Path path) {
            return new Folder(path, false);
        }

        /** A folder whose links are followed wherever they point, e.g. Debian's {@code /usr/lib/ipxe}. */
        public static Folder trustingLinks(Path path) {
            return new Folder(path, true);
        }
    }

    private final List<Folder> folders;

    /**
     * @param folders existing directories, searched in this order; each is resolved to its real path now
     * @throws UncheckedIOException if one does not exist or is not a directory
     */
    public BootFolder(List<Folder> folders) {
        if (folders.isEmpty()) {
            throw new IllegalArgumentException("a boot folder needs at least one directory");
        }
        List<Folder> real = new ArrayList<>(folders.size());
        for (Folder folder : folders) {
            try {
                Path r = folder.path().toRealPath();
                if (!Files.isDirectory(r)) {
                    throw new UncheckedIOException(new IOException(folder.path() + " is not a directory"));
                }
                real.add(new Folder(r, folder.linksMayLeave()));
            } catch (IOException e) {
                throw new UncheckedIOException("boot folder " + folder.path() + " cannot be used: " + e, e);
            }
        }
        this.folders = List.copyOf(real);
    }

    /** Confined folders, searched in this order. */
    public static BootFolder of(Path... folders) {
        return new BootFolder(Arrays.stream(folders).map(Folder::confined).toList());
    }

    /** The folders with their real paths, in search order. */
    public List<Folder> folders() {
        return folders;
    }

    @Override
    public Optional<TftpFile> open(String name, InetSocketAddress client) throws TftpRefusal, IOException {
        Path file = resolve(name);
        try {
            return Optional.of(new ChannelFile(FileChannel.open(file, StandardOpenOption.READ,
                    LinkOption.NOFOLLOW_LINKS)));
        } catch (AccessDeniedException e) {
            throw new TftpRefusal(TftpErrorCode.ACCESS_VIOLATION, "permission denied: " + name);
        } catch (NoSuchFileException e) {
            throw new TftpRefusal(TftpErrorCode.FILE_NOT_FOUND, "file not found: " + name);
        } catch (FileSystemException e) {
            // ELOOP: the file became a symbolic link after it was checked
            throw new TftpRefusal(TftpErrorCode.ACCESS_VIOLATION, "cannot open " + name);
        }
    }

    /**
     * The real path of the regular file {@code name} refers to, in the first folder that has it.
     *
     * @throws TftpRefusal ACCESS_VIOLATION for a name that is not allowed or leads outside its folder, FILE_NOT_FOUND
     *                     if no folder has a regular file by that name
     */
    public Path resolve(String name) throws TftpRefusal {
        Path relative = relativePath(name);
        boolean directory = false;
        for (Folder folder : folders) {
            Path real;
            try {
                real = folder.path().resolve(relative).toRealPath();
            } catch (AccessDeniedException e) {
                throw new TftpRefusal(TftpErrorCode.ACCESS_VIOLATION, "permission denied: " + name);
            } catch (IOException e) {
                continue;  // missing here (or a dangling link, or a file used as a directory): try the next folder
            }
            if (!folder.linksMayLeave() && !real.startsWith(folder.path())) {
                throw new TftpRefusal(TftpErrorCode.ACCESS_VIOLATION, name + " leads outside the boot folder");
            }
            if (Files.isDirectory(real)) {
                directory = true;
                continue;
            }
            if (!Files.isRegularFile(real)) {
                throw new TftpRefusal(TftpErrorCode.ACCESS_VIOLATION, name + " is not a regular file");
            }
            return real;
        }
        throw new TftpRefusal(TftpErrorCode.FILE_NOT_FOUND,
                directory ? name + " is a directory, not a file" : "file not found: " + name);
    }

    /** Applies the naming rules of the class comment: the name as a relative path, or a refusal. */
    static Path relativePath(String name) throws TftpRefusal {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw refuse("control character in file name");
            }
        }
        String n = name.replace('\\', '/');
        if (n.startsWith("/")) {
            n = n.substring(1);
        }
        if (n.isEmpty()) {
            throw refuse("no file name");
        }
        if (n.startsWith("/")) {
            throw refuse("absolute path " + name);
        }
        for (String segment : n.split("/")) {
            if (segment.equals("..")) {
                throw refuse("'..' in file name " + name);
            }
        }
        try {
            Path path = Path.of(n);
            if (path.isAbsolute()) {
                throw refuse("absolute path " + name);
            }
            return path;
        } catch (InvalidPathException e) {
            throw refuse("invalid file name " + name);
        }
    }

    private static TftpRefusal refuse(String message) {
        return new TftpRefusal(TftpErrorCode.ACCESS_VIOLATION, message);
    }

    /** A file on disk: positional reads from one channel, closed with the transfer. */
    private record ChannelFile(FileChannel channel) implements TftpFile {
        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return channel.read(dst, position);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
