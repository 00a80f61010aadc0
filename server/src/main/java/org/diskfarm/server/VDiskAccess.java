package org.diskfarm.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.ForwardingBlockDevice;
import org.diskfarm.block.StorageException;
import org.diskfarm.store.LockHolder;
import org.diskfarm.store.VDiskFiles;
import org.diskfarm.store.VDiskLock;
import org.diskfarm.vhd.Vhd;
import org.diskfarm.vhd.VhdDevice;
import org.diskfarm.vhd.VhdOptions;

/**
 * Who may open a vDisk's image, and how: shared and read-only (Standard mode, and the base under every device's write
 * cache), or read-write by one client holding the lock (Private mode). The two exclude each other: a vDisk that some
 * device reads through a write cache cannot be taken for writing, and a locked vDisk cannot be shared.
 *
 * <p>Shared opens use one {@link VhdDevice} per vDisk, whatever the number of devices: its page-cache reads and its
 * block map are shared, never copied per device. It is closed when its last user leaves.
 *
 * <p>Threads: safe; one monitor guards the tables, never I/O on the devices (opening a file happens under it, which
 * is brief).
 */
final class VDiskAccess implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VDiskAccess.class.getName());

    private final String serverName;
    private final Map<String, SharedBase> shared = new HashMap<>();
    private final Set<PrivateDisk> writers = new HashSet<>();
    private boolean closed;

    VDiskAccess(String serverName) {
        this.serverName = serverName;
    }

    private static final class SharedBase {
        final VhdDevice device;
        int users;

        SharedBase(VhdDevice device) {
            this.device = device;
        }
    }

    /**
     * The vDisk read-only, shared with every other reader. Closing the returned device releases this use only.
     *
     * @throws StorageException BUSY if a client holds it in Private mode
     */
    synchronized BlockDevice openShared(VDiskFiles files) {
        checkOpen();
        String key = key(files);
        SharedBase base = shared.get(key);
        if (base == null) {
            Optional<LockHolder> holder = VDiskLock.holder(files);
            if (holder.isPresent()) {
                throw VDiskLock.busy(files, holder.get());
            }
            base = new SharedBase(Vhd.open(files.vhd(), VhdOptions.readOnly()));
            shared.put(key, base);
            LOG.log(System.Logger.Level.DEBUG, "vDisk {0}: opened read-only for sharing", files.name());
        }
        base.users++;
        return new SharedUse(files, base);
    }

    /**
     * The vDisk read-write for {@code client} alone: takes {@code NAME.lok}. Closing the returned device flushes it,
     * closes the image and deletes the lock.
     *
     * @throws StorageException BUSY if another client holds it, or devices share it read-only
     */
    synchronized BlockDevice openPrivate(VDiskFiles files, String client) {
        checkOpen();
        SharedBase base = shared.get(key(files));
        if (base != null) {
            throw new StorageException(StorageException.Kind.BUSY, "vDisk " + files.name() + " is in use read-only by "
                    + base.users + " Standard-mode connection(s) or write caches; it cannot be opened for writing");
        }
        VDiskLock lock = VDiskLock.acquire(files, serverName, client);
        try {
            VhdDevice device = Vhd.open(files.vhd(), VhdOptions.readWrite());
            PrivateDisk disk = new PrivateDisk(files, device, lock);
            writers.add(disk);
            LOG.log(System.Logger.Level.INFO, "vDisk {0}: opened read-write for {1}", files.name(), client);
            return disk;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Flushes and closes every vDisk opened for writing (releasing their locks) and every shared base. Connections
     * still using them then fail their next call with kind CLOSED.
     */
    @Override
    public void close() {
        List<PrivateDisk> open;
        List<SharedBase> bases;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(writers);
            bases = new ArrayList<>(shared.values());
            shared.clear();
        }
        for (PrivateDisk disk : open) {
            disk.close();
        }
        for (SharedBase base : bases) {
            base.device.close();
        }
        if (!open.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "flushed and closed {0} Private-mode vDisk(s), released their locks",
                    open.size());
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException(StorageException.Kind.CLOSED, "the server is stopping");
        }
    }

    private static String key(VDiskFiles files) {
        return files.vhd().toAbsolutePath().normalize().toString();
    }

    private synchronized void release(VDiskFiles files, SharedBase base) {
        base.users--;
        if (base.users == 0 && shared.get(key(files)) == base) {
            shared.remove(key(files));
            base.device.close();
            LOG.log(System.Logger.Level.DEBUG, "vDisk {0}: last shared user left, closed", files.name());
        }
    }

    /** One use of a shared base; closing it gives the use back, once. */
    private final class SharedUse extends ForwardingBlockDevice {
        private final VDiskFiles files;
        private final SharedBase base;
        private boolean released;

        SharedUse(VDiskFiles files, SharedBase base) {
            super(base.device);
            this.files = files;
            this.base = base;
        }

        @Override
        public void close() {
            synchronized (VDiskAccess.this) {
                if (released) {
                    return;
                }
                released = true;
                release(files, base);
            }
        }
    }

    /** A vDisk open for writing by its lock holder. */
    private final class PrivateDisk extends ForwardingBlockDevice {
        private final VDiskFiles files;
        private final VDiskLock lock;
        private boolean released;

        PrivateDisk(VDiskFiles files, VhdDevice device, VDiskLock lock) {
            super(device);
            this.files = files;
            this.lock = lock;
        }

        /**
         * Flushes (acknowledged writes become durable), closes the image, then deletes the lock. A second caller (the
         * connection and the server's stop may race) waits until the first is done, so that "stopped" means flushed.
         */
        @Override
        public synchronized void close() {
            if (released) {
                return;
            }
            released = true;
            try {
                delegate.flush();
            } catch (StorageException e) {
                LOG.log(System.Logger.Level.WARNING, "vDisk {0}: flush on close failed: {1}", files.name(),
                        e.getMessage());
            } finally {
                delegate.close();
                lock.close();
                synchronized (VDiskAccess.this) {
                    writers.remove(this);
                }
                LOG.log(System.Logger.Level.INFO, "vDisk {0}: closed, lock released", files.name());
            }
        }
    }
}
