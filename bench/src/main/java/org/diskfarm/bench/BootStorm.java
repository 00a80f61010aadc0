package org.diskfarm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The boot storm: N connections (really N sockets, each through the whole NBD handshake or iSCSI login; a
 * {@link Connector} opens them) are opened, 16 handshakes
 * at a time, and held idle; the server's RSS is read before and after; then all N read the same first B bytes of the
 * export in order, one request of R bytes at a time each, all at once, and the time until the last one finishes is
 * taken. The server's RSS is sampled every 100 ms meanwhile. Connection 0 checks every byte it reads against the raw
 * image.
 *
 * <p>Threads: {@link #run} uses one virtual thread per connection.
 */
final class BootStorm {
    static final int PARALLEL_HANDSHAKES = 16;

    /** What one storm came to. */
    record Result(long rssBeforeKib, long rssIdleKib, long threadsBefore, long threadsIdle, long handshakeNanos,
                  long stormNanos, long rssPeakKib, long rssAfterCloseKib, double serverCpuCores, long heapBeforeKib,
                  long heapIdleKib) {
        double growthPerConnectionKib(int connections) {
            return (double) (rssIdleKib - rssBeforeKib) / connections;
        }

        /** Live Java heap growth per idle connection (after a full GC each time); NaN for a server without a heap. */
        double heapGrowthPerConnectionKib(int connections) {
            return heapBeforeKib < 0 || heapIdleKib < 0 ? Double.NaN
                    : (double) (heapIdleKib - heapBeforeKib) / connections;
        }
    }

    /** One connection of the storm, as the protocol's minimal client gives it: reads in order, then a clean close. */
    interface Client extends AutoCloseable {
        /** Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst}, which ends up full. */
        void read(long offset, ByteBuffer dst) throws IOException;

        /** Ends the connection (best effort; never throws). */
        @Override
        void close();
    }

    /** Opens connection {@code index} of the storm (through the whole handshake or login). */
    @FunctionalInterface
    interface Connector {
        Client open(int index) throws IOException;
    }

    private final int connections;
    private final long bytes;
    private final int requestBytes;
    private final ByteBuffer expected;

    BootStorm(int connections, long bytes, int requestBytes, Path rawImage) {
        this.connections = connections;
        this.bytes = bytes;
        this.requestBytes = requestBytes;
        this.expected = ByteBuffer.allocateDirect((int) bytes);
        try (FileChannel channel = FileChannel.open(rawImage, StandardOpenOption.READ)) {
            while (expected.hasRemaining()) {
                if (channel.read(expected, expected.position()) < 0) {
                    throw new IllegalStateException(rawImage + " is shorter than the storm's " + bytes + " bytes");
                }
            }
            expected.flip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs one storm against {@code server}; {@code connector} opens connection i. {@code liveHeapKib}, for a JVM server,
     * runs a full GC and returns the heap in use (KiB); it is called before the baseline RSS is read and after the
     * idle RSS is read, so that the RSS figures are never taken right after a GC of the harness's making. Null for
     * the peers.
     */
    Result run(ServerStats server, Connector connector, LongSupplier liveHeapKib) {
        List<Client> clients = new ArrayList<>(connections);
        try {
            long heapBefore = liveHeapKib == null ? -1 : liveHeapKib.getAsLong();
            settle();
            long rssBefore = server.rssKib();
            long threadsBefore = server.threads();
            long start = System.nanoTime();
            clients.addAll(connectAll(connector));
            long handshake = System.nanoTime() - start;
            settle();
            long rssIdle = server.rssKib();
            long threadsIdle = server.threads();
            long heapIdle = liveHeapKib == null ? -1 : liveHeapKib.getAsLong();

            AtomicLong peak = new AtomicLong(rssIdle);
            AtomicBoolean running = new AtomicBoolean(true);
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (running.get()) {
                    peak.accumulateAndGet(server.rssKib(), Math::max);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long cpu0 = server.cpuNanos();
            CountDownLatch go = new CountDownLatch(1);
            long stormNanos;
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    Client client = clients.get(i);
                    boolean check = i == 0;
                    done.add(threads.submit(() -> {
                        go.await();
                        readAll(client, check);
                        return null;
                    }));
                }
                long stormStart = System.nanoTime();
                go.countDown();
                for (Future<?> f : done) {
                    f.get();
                }
                stormNanos = System.nanoTime() - stormStart;
            }
            long cpu = server.cpuNanos() - cpu0;
            running.set(false);
            sampler.interrupt();
            sampler.join();
            peak.accumulateAndGet(server.rssKib(), Math::max);
            clients.forEach(Client::close);
            clients.clear();
            settle();
            return new Result(rssBefore, rssIdle, threadsBefore, threadsIdle, handshake, stormNanos, peak.get(),
                    server.rssKib(), (double) cpu / stormNanos, heapBefore, heapIdle);
        } catch (IOException e) {
            throw new UncheckedIOException("storm against " + server.name() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("storm against " + server.name() + ": " + e.getCause(), e.getCause());
        } finally {
            clients.forEach(Client::close);
        }
    }

    /**
     * Opens the connections, {@link #PARALLEL_HANDSHAKES} at a time (as machines booting together would; one at a time
     * a server that answers the handshake in small delayed writes, as qemu-nbd does, needs about 40 ms each).
     */
    private List<Client> connectAll(Connector connector) throws IOException, InterruptedException {
        Client[] opened = new Client[connections];
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(PARALLEL_HANDSHAKES);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < connections; i++) {
                int index = i;
                done.add(threads.submit(() -> {
                    slots.acquire();
                    try {
                        opened[index] = connector.open(index);
                    } finally {
                        slots.release();
                    }
                    return null;
                }));
            }
            IOException failure = null;
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                    }
                }
            }
            if (failure != null) {
                for (Client c : opened) {
                    if (c != null) {
                        c.close();
                    }
                }
                throw failure;
            }
        }
        return List.of(opened);
    }

    private void readAll(Client client, boolean check) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(requestBytes);
        for (long at = 0; at < bytes; at += requestBytes) {
            int n = (int) Math.min(requestBytes, bytes - at);
            buffer.clear().limit(n);
            client.read(at, buffer);
            if (check && buffer.mismatch(expected.slice((int) at, n)) >= 0) {
                throw new IOException("wrong data at offset " + at);
            }
        }
    }

    /** A moment for the server to finish what the last step started (threads exiting, deferred frees). */
    private static void settle() throws InterruptedException {
        Thread.sleep(1000);
    }
}
