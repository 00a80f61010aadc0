package org.diskfarm.block;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The few Linux file calls the JDK lacks, through the Foreign Function API: {@code lseek(SEEK_DATA/SEEK_HOLE)} to find
 * holes in sparse files without reading them, and {@code fallocate} to reserve space or release trimmed ranges. They
 * run on a descriptor of the file's own, opened once beside its {@code FileChannel} (whose descriptor the JDK does not
 * lend). Where the calls are missing (another OS, a file system without holes) they degrade to "all data" and
 * "cannot punch".
 */
final class LinuxFiles {
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    private static final int ENXIO = 6;

    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle LSEEK;
    private static final MethodHandle FALLOCATE;
    private static final StructLayout CALL_STATE;
    private static final VarHandle ERRNO;

    static {
        MethodHandle open = null;
        MethodHandle close = null;
        MethodHandle lseek = null;
        MethodHandle fallocate = null;
        StructLayout state = null;
        VarHandle errno = null;
        try {
            if (System.getProperty("os.name", "").toLowerCase().contains("linux")) {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                Linker.Option capture = Linker.Option.captureCallState("errno");
                state = Linker.Option.captureStateLayout();
                errno = state.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
                open = linker.downcallHandle(libc.find("open").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                        Linker.Option.firstVariadicArg(2));
                close = linker.downcallHandle(libc.find("close").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                lseek = linker.downcallHandle(libc.find("lseek").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT), capture);
                fallocate = linker.downcallHandle(libc.find("fallocate").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
            }
        } catch (RuntimeException | LinkageError e) {
            open = null;
        }
        OPEN = open;
        CLOSE = close;
        LSEEK = lseek;
        FALLOCATE = fallocate;
        CALL_STATE = state;
        ERRNO = errno;
    }

    private LinuxFiles() {
    }

    /**
     * Opens a descriptor of {@code path} for the calls below, or returns -1 where they are unavailable. The owner keeps
     * it as long as its {@code FileChannel} and closes it with {@link #close(int)}.
     */
    static int open(Path path, boolean writable) {
        if (OPEN == null) {
            return -1;
        }
        try (Arena arena = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(arena.allocateFrom(path.toString()), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
        } catch (Throwable e) {
            return -1;
        }
    }

    static void close(int fd) {
        if (fd >= 0) {
            try {
                int ignored = (int) CLOSE.invokeExact(fd);
            } catch (Throwable e) {
                // Nothing to do: the descriptor is gone either way.
            }
        }
    }

    /**
     * lseek with SEEK_DATA or SEEK_HOLE from {@code from}; answers {@code size} when there is no further data, and the
     * neutral answer (all data) when the call is unavailable.
     */
    static long seek(int fd, long from, int whence, long size) {
        if (from >= size) {
            return size;
        }
        long neutral = whence == SEEK_DATA ? from : size;
        if (fd < 0) {
            return neutral;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long result = (long) LSEEK.invokeExact(state, fd, from, whence);
            if (result < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                // ENXIO: no data (or hole) at or after 'from' (lseek(2)).
                return errno == ENXIO ? size : neutral;
            }
            return Math.min(result, size);
        } catch (Throwable e) {
            return neutral;
        }
    }

    /** fallocate(PUNCH_HOLE | KEEP_SIZE); false if the file system or platform cannot. */
    static boolean punchHole(int fd, long position, long length) {
        return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, position, length);
    }

    /** fallocate(2) with {@code mode} (0 reserves the range); false if the file system or platform cannot. */
    static boolean fallocate(int fd, int mode, long position, long length) {
        if (fd < 0 || length <= 0) {
            return false;
        }
        try {
            return (int) FALLOCATE.invokeExact(fd, mode, position, length) == 0;
        } catch (Throwable e) {
            return false;
        }
    }
}
