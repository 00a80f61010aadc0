package org.diskfarm.boot.tftp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * One event-loop thread: a {@link Selector} over the UDP channels of the transfers it owns (and, on the first loop,
 * the server's well-known port), and a coarse timer that checks those transfers' retransmission deadlines every
 * {@code tick}.
 *
 * <p>Why a selector and not a virtual thread per transfer: a virtual thread that blocks in {@code receive} re-arms its
 * socket in the JDK's poller and is handed between threads twice per block; a loop keeps every socket's interest fixed
 * and answers each ACK on the thread that read it, which is what 200 lock-step clients on 2 cores need.
 *
 * <p>State: the transfers and both buffers belong to the loop thread; only {@link #execute} may be called from other
 * threads. A task that arrives after the loop stopped is refused, so its caller can release what it holds.
 */
final class TftpLoop {
    private static final System.Logger LOG = System.getLogger(TftpLoop.class.getName());
    /** Room for the largest UDP datagram, so that an oversized request is seen whole and refused. */
    private static final int RECEIVE_BUFFER_BYTES = 65536;

    /** What a selection key's attachment does when its channel is ready. */
    interface Handler {
        void onReadable() throws IOException;

        default void onWritable() throws IOException {
        }

        /** The handler threw {@code failure}: it should release what it holds. */
        void onFailure(Exception failure);
    }

    private final Selector selector;
    private final Thread thread;
    private final long tickNanos;
    private final Object lock = new Object();
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();  // guarded by lock
    private boolean accepting = true;  // guarded by lock
    private volatile boolean stopping;
    private final Set<TftpReadSession> sessions = new HashSet<>();
    /** Where every datagram this loop receives lands; valid until the handler returns. */
    final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES);
    /** Where DATA packets are assembled: a header and the largest block, read straight from the file. */
    final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(TftpData.HEADER_SIZE + TftpServerOptions.MAX_BLOCK_SIZE);
    private long now = System.nanoTime();

    TftpLoop(String name, long tickNanos) throws IOException {
        this.selector = Selector.open();
        this.tickNanos = tickNanos;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Runs {@code task} on the loop thread soon; false if the loop has stopped and the task will never run. */
    boolean execute(Runnable task) {
        synchronized (lock) {
            if (!accepting) {
                return false;
            }
            tasks.add(task);
        }
        selector.wakeup();
        return true;
    }

    /** The loop's clock: {@link System#nanoTime()} when it last woke up. Loop thread only. */
    long now() {
        return now;
    }

    /** Registers a channel for reading with its handler. Loop thread only. */
    SelectionKey register(DatagramChannel channel, Handler handler) throws IOException {
        return channel.register(selector, SelectionKey.OP_READ, handler);
    }

    void add(TftpReadSession session) {
        sessions.add(session);
    }

    void remove(TftpReadSession session) {
        sessions.remove(session);
    }

    /** Asks the loop to end its transfers and stop; {@link #join()} waits for it. */
    void stop() {
        stopping = true;
        selector.wakeup();
    }

    void join() throws InterruptedException {
        thread.join();
    }

    private void run() {
        long nextTick = now + tickNanos;
        try {
            while (!stopping) {
                selector.select(Math.max(1, (nextTick - now) / 1_000_000));
                now = System.nanoTime();
                runTasks();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    dispatch(key);
                }
                if (now - nextTick >= 0) {
                    tick();
                    nextTick = now + tickNanos;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "TFTP event loop {0} failed, its transfers end: {1}", thread.getName(), e.toString());
        } finally {
            shutdown();
        }
    }

    private void dispatch(SelectionKey key) {
        Handler handler = (Handler) key.attachment();
        try {
            if (key.isValid() && key.isReadable()) {
                handler.onReadable();
            }
            if (key.isValid() && key.isWritable()) {
                handler.onWritable();
            }
        } catch (IOException | RuntimeException e) {
            // One transfer's trouble, or a bug it exposed, must not end the others.
            handler.onFailure(e);
        }
    }

    private void runTasks() {
        while (true) {
            Runnable task;
            synchronized (lock) {
                task = tasks.poll();
            }
            if (task == null) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "TFTP event loop {0}: a task failed: {1}", thread.getName(), e.toString());
            }
        }
    }

    private void tick() {
        for (TftpReadSession session : sessions.toArray(new TftpReadSession[0])) {
            try {
                session.onTick(now);
            } catch (RuntimeException e) {
                session.onFailure(e);
            }
        }
    }

    private void shutdown() {
        synchronized (lock) {
            accepting = false;
        }
        runTasks();
        List<TftpReadSession> left = new ArrayList<>(sessions);
        for (TftpReadSession session : left) {
            session.abort("server stopping");
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing the selector of {0}: {1}", thread.getName(), e.toString());
        }
    }
}
