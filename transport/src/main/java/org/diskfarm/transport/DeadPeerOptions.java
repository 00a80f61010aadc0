package org.diskfarm.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import java.time.Duration;
import java.util.Objects;
import jdk.net.ExtendedSocketOptions;

/**
 * How a server finds peers that vanished: TCP keepalive probes after {@code keepAliveIdle} of silence (a peer that
 * sends nothing and vanished), and on epoll TCP_USER_TIMEOUT (a peer that vanished while sent data was
 * unacknowledged; without it Linux retransmits for about 15 minutes). The JDK has no TCP_USER_TIMEOUT, so NIO gets
 * keepalive only.
 *
 * @param tcpUserTimeout    TCP_USER_TIMEOUT (epoll only): a connection whose sent data stays unacknowledged this long
 *                          is dropped
 * @param keepAliveIdle     idle time before the first keepalive probe, whole seconds
 * @param keepAliveInterval time between probes, whole seconds
 * @param keepAliveProbes   unanswered probes before the connection is dropped
 */
public record DeadPeerOptions(Duration tcpUserTimeout, Duration keepAliveIdle, Duration keepAliveInterval,
        int keepAliveProbes) {

    public DeadPeerOptions {
        Objects.requireNonNull(tcpUserTimeout, "tcpUserTimeout");
        Objects.requireNonNull(keepAliveIdle, "keepAliveIdle");
        Objects.requireNonNull(keepAliveInterval, "keepAliveInterval");
        if (tcpUserTimeout.isNegative() || tcpUserTimeout.isZero() || keepAliveProbes < 1
                || keepAliveIdle.toSeconds() < 1 || keepAliveInterval.toSeconds() < 1) {
            throw new IllegalArgumentException("dead-peer options: a positive user timeout, keepalive times of at "
                    + "least 1 s and at least 1 probe, not " + tcpUserTimeout + ", " + keepAliveIdle + ", "
                    + keepAliveInterval + ", " + keepAliveProbes);
        }
    }

    /** Sets these options on every connection {@code bootstrap} accepts on {@code transport}. */
    void applyTo(ServerBootstrap bootstrap, Transport transport) {
        int idle = (int) keepAliveIdle.toSeconds();
        int interval = (int) keepAliveInterval.toSeconds();
        if (transport == Transport.EPOLL) {
            bootstrap.childOption(EpollChannelOption.TCP_USER_TIMEOUT,
                            (int) Math.min(Integer.MAX_VALUE, tcpUserTimeout.toMillis()))
                    .childOption(EpollChannelOption.TCP_KEEPIDLE, idle)
                    .childOption(EpollChannelOption.TCP_KEEPINTVL, interval)
                    .childOption(EpollChannelOption.TCP_KEEPCNT, keepAliveProbes);
        } else {
            bootstrap.childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), idle)
                    .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), interval)
                    .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), keepAliveProbes);
        }
    }
}
