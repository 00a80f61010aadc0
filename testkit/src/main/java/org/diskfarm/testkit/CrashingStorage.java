package org.diskfarm.testkit;

import org.diskfarm.block.FileStorage;
import org.diskfarm.block.StorageException;
import org.diskfarm.block.StorageFile;
import org.diskfarm.block.StorageOpener;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link StorageOpener} that sits between a format (VHD) and the files it opens, records every change to every file
 * in order, and can make the process "die" after a chosen number of changes. From the recording it builds the file
 * images a later open would find after the crash, so that a test can prove the format is consistent whatever write was
 * the last to land.
 *
 * <p>Changes ("writes") are {@link StorageFile#write}, {@link StorageFile#truncate} and {@link StorageFile#punchHole};
 * {@link StorageFile#force} is recorded as a barrier. After {@code crashAfter(n)}, the first n writes pass; the
 * (n+1)-th write and every later call of any kind (reads, sizes, forces, opens) throw {@link StorageException} of kind
 * IO_ERROR, as if the process had died there; only {@code close} stays quiet, so that clean-up code can run. The
 * write that hit the crash is not applied to the files underneath.
 *
 * <p>The images (each a map from absolute path to file content):
 * <ul>
 *   <li>{@link #processDeathImage()}: every write before the crash applied, in order (the kernel keeps what a dead
 *       process wrote);</li>
 *   <li>{@link #tornImage()}: the same, plus the first half of the write that hit the crash (whole file sectors);</li>
 *   <li>{@link #powerLossImage(Collection)}: per file, everything up to its last force applied, plus a chosen subset
 *       of the later ({@link #unsyncedWrites() unsynced}) writes, since the page cache may write them back in any order
 *       or not at all.</li>
 * </ul>
 * A file's starting content is what the underlying opener held when the file was first opened here; a file created
 * here (CREATE_NEW) starts empty.
 *
 * <p>Threads: every call takes this object's monitor, so the recorded order is the order the writes reached the files.
 */
public final class CrashingStorage implements StorageOpener {

    /** One recorded call. */
    public sealed interface Event {
        Path path();
    }

    /** A change to a file. */
    public sealed interface Change extends Event {
        /** Applies this change to {@code file}. */
        void applyTo(MemoryStorageFile file);
    }

    public record Write(Path path, long position, byte[] data) implements Change {
        @Override
        public void applyTo(MemoryStorageFile file) {
            file.write(position, ByteBuffer.wrap(data));
        }

        @Override
        public String toString() {
            return "write " + path.getFileName() + " @" + position + " +" + data.length;
        }
    }

    public record Truncate(Path path, long size) implements Change {
        @Override
        public void applyTo(MemoryStorageFile file) {
            file.truncate(size);
        }

        @Override
        public String toString() {
            return "truncate " + path.getFileName() + " to " + size;
        }
    }

    public record PunchHole(Path path, long position, long length) implements Change {
        @Override
        public void applyTo(MemoryStorageFile file) {
            file.punchHole(position, length);
        }

        @Override
        public String toString() {
            return "punch " + path.getFileName() + " @" + position + " +" + length;
        }
    }

    public record Force(Path path) implements Event {
        @Override
        public String toString() {
            return "force " + path.getFileName();
        }
    }

    /** How a crash image came about. */
    public enum CrashKind {
        /** The process died: every write before the crash landed. */
        PROCESS_DEATH,
        /** The process died in the middle of a write, which landed in part. */
        TORN_WRITE,
        /** The machine lost power: writes after the last force landed in part, in any order. */
        POWER_LOSS;

        /** True for the kinds where every write that reached the operating system before the crash landed. */
        public boolean keepsEveryCompletedWrite() {
            return this != POWER_LOSS;
        }
    }

    /** One image of the files after a crash, with a label saying how it came about. */
    public record CrashImage(CrashKind kind, String label, Map<Path, byte[]> files) {
        public byte[] file(Path path) {
            byte[] bytes = files.get(MemoryStorage.key(path));
            if (bytes == null) {
                throw new IllegalArgumentException(path + " is not in crash image '" + label + "'");
            }
            return bytes;
        }
    }

    private final StorageOpener delegate;
    private final Map<Path, byte[]> initial = new TreeMap<>();
    private final List<Event> events = new ArrayList<>();
    private long crashAfter = Long.MAX_VALUE;
    private long writes;
    private boolean crashed;
    private Change crashingWrite;

    private CrashingStorage(StorageOpener delegate) {
        this.delegate = delegate;
    }

    /** Records (and crashes) calls to the files {@code delegate} opens. */
    public static CrashingStorage over(StorageOpener delegate) {
        return new CrashingStorage(delegate);
    }

    /** Lets {@code n} writes pass; the next one, and every later call, fails as if the process died. */
    public synchronized CrashingStorage crashAfter(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative write count " + n);
        }
        crashAfter = n;
        return this;
    }

    /** Writes that passed so far. */
    public synchronized long writeCount() {
        return writes;
    }

    public synchronized boolean crashed() {
        return crashed;
    }

    /** Everything recorded, in order (the write that hit the crash is not among them). */
    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** The write that hit the crash, if there was one. */
    public synchronized Optional<Change> crashingWrite() {
        return Optional.ofNullable(crashingWrite);
    }

    @Override
    public synchronized StorageFile open(Path path, FileStorage.Mode mode) {
        requireAlive("open " + path);
        Path key = MemoryStorage.key(path);
        StorageFile file = delegate.open(path, mode);
        if (!initial.containsKey(key)) {
            initial.put(key, mode == FileStorage.Mode.CREATE_NEW ? new byte[0] : readAll(file));
        }
        return new CrashingFile(key, file);
    }

    /** The files as a dead process leaves them: every write before the crash applied. */
    public synchronized Map<Path, byte[]> processDeathImage() {
        return build(events.stream().filter(e -> e instanceof Change).map(e -> (Change) e).toList());
    }

    /**
     * Like {@link #processDeathImage()}, plus the first half of the bytes of the write that hit the crash, cut at a
     * 512-byte sector of the file: disks write a sector whole or not at all, so the part of the write inside one file
     * sector lands or does not as a unit. Empty if the crash hit no write (or hit a truncate or hole punch, which do
     * not tear). A write that lies inside one sector tears to nothing, giving the process-death image.
     */
    public synchronized Optional<Map<Path, byte[]>> tornImage() {
        return tornImage(512);
    }

    /**
     * Like {@link #tornImage()} with atomic units of {@code atomicUnit} bytes of the file; 1 lands exactly the first
     * half of the bytes.
     */
    public synchronized Optional<Map<Path, byte[]>> tornImage(int atomicUnit) {
        if (!(crashingWrite instanceof Write write)) {
            return Optional.empty();
        }
        long start = write.position();
        long half = start + write.data().length / 2;
        long cut = Math.floorDiv(half, atomicUnit) * atomicUnit;
        int landed = (int) Math.max(0, cut - start);
        List<Change> changes = new ArrayList<>(events.stream().filter(e -> e instanceof Change)
                .map(e -> (Change) e).toList());
        changes.add(new Write(write.path(), start, Arrays.copyOf(write.data(), landed)));
        return Optional.of(build(changes));
    }

    /** Writes after the last force of their file: under power loss any subset of them may have landed. */
    public synchronized List<Change> unsyncedWrites() {
        Map<Path, Integer> lastForce = lastForces();
        List<Change> unsynced = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof Change change && i > lastForce.getOrDefault(change.path(), -1)) {
                unsynced.add(change);
            }
        }
        return unsynced;
    }

    /**
     * The files after a power loss: per file, every write up to its last force, plus those of
     * {@link #unsyncedWrites()} whose indices are in {@code landed} (applied in their original order).
     */
    public synchronized Map<Path, byte[]> powerLossImage(Collection<Integer> landed) {
        Map<Path, Integer> lastForce = lastForces();
        Set<Integer> chosen = new TreeSet<>(landed);
        List<Change> changes = new ArrayList<>();
        int unsyncedIndex = 0;
        for (int i = 0; i < events.size(); i++) {
            if (!(events.get(i) instanceof Change change)) {
                continue;
            }
            if (i <= lastForce.getOrDefault(change.path(), -1)) {
                changes.add(change);
            } else if (chosen.contains(unsyncedIndex++)) {
                changes.add(change);
            }
        }
        if (!chosen.isEmpty() && ((TreeSet<Integer>) chosen).last() >= unsyncedIndex) {
            throw new IllegalArgumentException("there are only " + unsyncedIndex + " unsynced writes, not "
                    + (((TreeSet<Integer>) chosen).last() + 1));
        }
        return build(changes);
    }

    /**
     * Every image a test should try: process death, torn last write (if any), and power loss with none, all, and each
     * one alone of the unsynced writes. Images with equal content may repeat under different labels.
     */
    public synchronized List<CrashImage> crashImages() {
        List<CrashImage> images = new ArrayList<>();
        images.add(new CrashImage(CrashKind.PROCESS_DEATH, "process death after " + writes + " writes",
                processDeathImage()));
        tornImage().ifPresent(files -> images.add(new CrashImage(CrashKind.TORN_WRITE,
                "process death after " + writes + " writes, torn " + crashingWrite, files)));
        List<Change> unsynced = unsyncedWrites();
        images.add(new CrashImage(CrashKind.POWER_LOSS, "power loss, no unsynced write landed",
                powerLossImage(List.of())));
        if (!unsynced.isEmpty()) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < unsynced.size(); i++) {
                all.add(i);
            }
            images.add(new CrashImage(CrashKind.POWER_LOSS, "power loss, all " + unsynced.size()
                    + " unsynced writes landed", powerLossImage(all)));
            if (unsynced.size() > 1) {
                for (int i = 0; i < unsynced.size(); i++) {
                    images.add(new CrashImage(CrashKind.POWER_LOSS, "power loss, only unsynced " + unsynced.get(i)
                            + " landed", powerLossImage(List.of(i))));
                }
            }
        }
        return images;
    }

    private Map<Path, Integer> lastForces() {
        Map<Path, Integer> lastForce = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof Force force) {
                lastForce.put(force.path(), i);
            }
        }
        return lastForce;
    }

    private Map<Path, byte[]> build(List<Change> changes) {
        Map<Path, Image> files = new LinkedHashMap<>();
        initial.forEach((path, bytes) -> files.put(path, new Image(bytes)));
        for (Change change : changes) {
            Image file = files.get(change.path());
            switch (change) {
                case Write w -> file.write(w.position(), w.data());
                case Truncate t -> file.truncate(t.size());
                case PunchHole h -> file.punch(h.position(), h.length());
            }
        }
        Map<Path, byte[]> image = new TreeMap<>();
        files.forEach((path, file) -> image.put(path, file.toByteArray()));
        return image;
    }

    /** A file image being built: a growable array (crash images are small enough to hold whole). */
    private static final class Image {
        private byte[] bytes;
        private int size;

        Image(byte[] initialBytes) {
            bytes = initialBytes.clone();
            size = initialBytes.length;
        }

        void write(long position, byte[] data) {
            int end = Math.toIntExact(position + data.length);
            grow(end);
            System.arraycopy(data, 0, bytes, (int) position, data.length);
            size = Math.max(size, end);
        }

        void truncate(long newSize) {
            int n = Math.toIntExact(newSize);
            grow(n);
            if (n < size) {
                Arrays.fill(bytes, n, size, (byte) 0);
            }
            size = n;
        }

        void punch(long position, long length) {
            if (position < size) {
                Arrays.fill(bytes, (int) position, (int) Math.min(size, position + length), (byte) 0);
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }

        private void grow(int needed) {
            if (needed > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length + bytes.length / 2));
            }
        }
    }

    private static byte[] readAll(StorageFile file) {
        long size = file.size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException(file.name() + ": too large to record (" + size + " bytes)");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        file.read(0, buffer);
        return buffer.array();
    }

    private void requireAlive(String what) {
        if (crashed) {
            throw dead(what);
        }
    }

    private StorageException dead(String what) {
        return new StorageException(StorageException.Kind.IO_ERROR, "crash injected: the process is dead (" + what
                + ")");
    }

    /** Counts a write; throws (and records the crash) if this one is past the limit. */
    private void admit(Change change) {
        requireAlive(change.toString());
        if (writes >= crashAfter) {
            crashed = true;
            crashingWrite = change;
            throw dead(change + " was write " + (writes + 1));
        }
        writes++;
        events.add(change);
    }

    /** The wrapper each open returns; all state lives in the enclosing storage. */
    private final class CrashingFile implements StorageFile {
        private final Path path;
        private final StorageFile file;

        CrashingFile(Path path, StorageFile file) {
            this.path = path;
            this.file = file;
        }

        @Override
        public String name() {
            return file.name();
        }

        @Override
        public boolean isWritable() {
            return file.isWritable();
        }

        @Override
        public long size() {
            synchronized (CrashingStorage.this) {
                requireAlive("size of " + path);
                return file.size();
            }
        }

        @Override
        public void read(long position, ByteBuffer dst) {
            synchronized (CrashingStorage.this) {
                requireAlive("read " + path + " @" + position);
                file.read(position, dst);
            }
        }

        @Override
        public void write(long position, ByteBuffer src) {
            synchronized (CrashingStorage.this) {
                byte[] data = new byte[src.remaining()];
                src.duplicate().get(data);
                if (!file.isWritable()) {
                    file.write(position, src);  // let the file refuse in its own words
                }
                admit(new Write(path, position, data));
                file.write(position, src);
            }
        }

        @Override
        public void truncate(long size) {
            synchronized (CrashingStorage.this) {
                admit(new Truncate(path, size));
                file.truncate(size);
            }
        }

        @Override
        public void force(boolean metadata) {
            synchronized (CrashingStorage.this) {
                requireAlive("force " + path);
                file.force(metadata);
                events.add(new Force(path));
            }
        }

        @Override
        public long nextData(long from) {
            synchronized (CrashingStorage.this) {
                requireAlive("seek data " + path);
                return file.nextData(from);
            }
        }

        @Override
        public long nextHole(long from) {
            synchronized (CrashingStorage.this) {
                requireAlive("seek hole " + path);
                return file.nextHole(from);
            }
        }

        @Override
        public boolean punchHole(long position, long length) {
            synchronized (CrashingStorage.this) {
                requireAlive("punch " + path);
                // Only a hole that is really punched changes the file; one the file system refuses is not a write.
                if (!file.isWritable()) {
                    return file.punchHole(position, length);
                }
                admit(new PunchHole(path, position, length));
                boolean punched = file.punchHole(position, length);
                if (!punched) {
                    events.removeLast();
                    writes--;
                }
                return punched;
            }
        }

        @Override
        public void close() {
            synchronized (CrashingStorage.this) {
                file.close();
            }
        }
    }
}
