package org.diskfarm.store;

import org.diskfarm.block.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive hold of one Private-mode vDisk: the file {@code NAME.lok} beside {@code NAME.vhd}, which names the
 * server and the client that write to it. Taking it creates the file atomically ({@code O_CREAT|O_EXCL}); closing it
 * deletes the file. A second taker gets a {@link StorageException} of kind BUSY whose message names the holder.
 *
 * <p>After a crash the file stays behind. It is recognised as stale, and taken over with a log line, when it was
 * written on this host by a process that no longer runs (its pid is gone, or now belongs to a process started at
 * another time), or by this very process but not through a lock it still holds. A lock written on another host is
 * never guessed stale: the message says to delete the file once that server is known to be down.
 *
 * <p>Threads: safe; the locks this process holds are tracked in one map, and threads take, check and drop the lock
 * of one file one at a time (else two threads could each see the other's fresh file as not yet held, so stale).
 */
public final class VDiskLock implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VDiskLock.class.getName());
    private static final Map<Path, VDiskLock> HELD = new ConcurrentHashMap<>();
    /** One monitor per lock file, held while a thread creates, judges or deletes it. */
    private static final Map<Path, Object> GUARDS = new ConcurrentHashMap<>();
    /** Two readings of one process's start time may differ by rounding; a different process differs by more. */
    private static final Duration SAME_START = Duration.ofSeconds(1);

    private final Path file;
    private final LockHolder holder;
    private boolean released;

    private VDiskLock(Path file, LockHolder holder) {
        this.file = file;
        this.holder = holder;
    }

    /**
     * Takes the lock of the vDisk {@code files} for {@code client} served by {@code server}.
     *
     * @throws StorageException BUSY if a live holder has it (the message names it), IO_ERROR if the file cannot be made
     */
    public static VDiskLock acquire(VDiskFiles files, String server, String client) {
        Path file = files.lok().toAbsolutePath();
        LockHolder me = LockHolder.ofThisProcess(server, client);
        synchronized (guard(file)) {
            return acquire(files, file, me);
        }
    }

    private static VDiskLock acquire(VDiskFiles files, Path file, LockHolder me) {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                create(file, me);
                VDiskLock lock = new VDiskLock(file, me);
                HELD.put(file, lock);
                return lock;
            } catch (FileAlreadyExistsException e) {
                Optional<LockHolder> current = read(file);
                if (current.isPresent() && isLive(file, current.get())) {
                    throw busy(files, current.get());
                }
                LOG.log(System.Logger.Level.WARNING, "{0}: removing a stale lock ({1})", file,
                        current.map(LockHolder::describe).orElse("unreadable"));
                deleteQuietly(file);
            } catch (IOException e) {
                throw StorageException.io(file + ": cannot create the lock", e);
            }
        }
        throw new StorageException(StorageException.Kind.BUSY, file + ": the lock keeps reappearing; try again");
    }

    /** Who holds the vDisk's lock now, or empty if nobody does (a stale lock counts as nobody). */
    public static Optional<LockHolder> holder(VDiskFiles files) {
        Path file = files.lok().toAbsolutePath();
        synchronized (guard(file)) {
            return read(file).filter(h -> isLive(file, h));
        }
    }

    /**
     * Deletes the vDisk's lock file if it is stale (see the class comment), as a server does at start.
     *
     * @return true if a stale lock was removed (with a log line naming its holder)
     */
    public static boolean removeIfStale(VDiskFiles files) {
        Path file = files.lok().toAbsolutePath();
        synchronized (guard(file)) {
            Optional<LockHolder> current = read(file);
            if (!Files.exists(file) || current.isPresent() && isLive(file, current.get())) {
                return false;
            }
            LOG.log(System.Logger.Level.WARNING, "{0}: removing a stale lock ({1})", file,
                    current.map(LockHolder::describe).orElse("unreadable"));
            deleteQuietly(file);
            return true;
        }
    }

    /** The BUSY error for a vDisk that {@code holder} has. */
    public static StorageException busy(VDiskFiles files, LockHolder holder) {
        String hint = holder.host().equals(LockHolder.thisHost()) ? ""
                : "; if that server is down for good, delete " + files.lok();
        return new StorageException(StorageException.Kind.BUSY,
                "vDisk " + files.name() + " is in use (Private mode) by " + holder.describe() + hint);
    }

    public LockHolder holder() {
        return holder;
    }

    /** Deletes the lock file if this lock still owns it. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        released = true;
        synchronized (guard(file)) {
            HELD.remove(file, this);
            Optional<LockHolder> current = read(file);
            if (current.isPresent() && current.get().equals(holder)) {
                deleteQuietly(file);
            }
        }
    }

    private static Object guard(Path file) {
        return GUARDS.computeIfAbsent(file, f -> new Object());
    }

    private static boolean isLive(Path file, LockHolder holder) {
        if (!holder.host().equals(LockHolder.thisHost())) {
            return true;
        }
        if (holder.pid() == ProcessHandle.current().pid()) {
            VDiskLock mine = HELD.get(file);
            return mine != null && mine.holder.equals(holder);
        }
        Optional<Instant> started = ProcessHandle.of(holder.pid()).flatMap(p -> p.info().startInstant());
        return started.isPresent()
                && Duration.between(started.get(), holder.processStart()).abs().compareTo(SAME_START) <= 0;
    }

    private static void create(Path file, LockHolder holder) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(holder.toText().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        } catch (NoSuchFileException e) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, file + ": no such folder " + file.getParent());
        }
        AtomicFiles.syncDirectory(file.getParent());
    }

    private static Optional<LockHolder> read(Path file) {
        try {
            return LockHolder.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw StorageException.io(file + ": cannot read the lock", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: cannot delete the lock: {1}", file, e.toString());
        }
    }

    @Override
    public String toString() {
        return "lock " + file + " (" + holder.describe() + ")";
    }
}
