package org.diskfarm.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * Which of Netty's socket transports a server runs on: native epoll (sendfile, TCP_USER_TIMEOUT) where it is
 * available, the JDK's NIO otherwise. Tests pick one explicitly to cover both.
 */
public enum Transport {
    EPOLL("epoll"),
    NIO("nio");

    private final String label;

    Transport(String label) {
        this.label = label;
    }

    /** Epoll where {@link Epoll#isAvailable()}, NIO otherwise. */
    public static Transport best() {
        return of(Epoll.isAvailable());
    }

    /** Epoll if {@code epoll}, NIO otherwise (epoll is not checked for availability here). */
    public static Transport of(boolean epoll) {
        return epoll ? EPOLL : NIO;
    }

    /** How log lines name it: {@code epoll} or {@code nio}. */
    public String label() {
        return label;
    }

    /** The IO handlers of its event loops, waiting for work as {@code waiting} says. */
    IoHandlerFactory ioHandlers(SelectStrategyFactory waiting) {
        return this == EPOLL ? EpollIoHandler.newFactory(0, waiting)
                : NioIoHandler.newFactory(SelectorProvider.provider(), waiting);
    }

    /** The listening socket's channel class. */
    Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    @Override
    public String toString() {
        return label;
    }
}
