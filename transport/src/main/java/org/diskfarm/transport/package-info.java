/**
 * The Netty server plumbing the protocol servers (nbd, iscsi) share: {@link org.diskfarm.transport.TcpServer} (event
 * loops on {@link org.diskfarm.transport.Transport epoll or NIO} with a
 * {@link org.diskfarm.transport.PollingSelectStrategy poll window}, the listening socket and its connection options,
 * {@link org.diskfarm.transport.DeadPeerOptions}, the connection group and an orderly close) and
 * {@link org.diskfarm.transport.ChannelLoop} for connection handlers. It knows no protocol and no other diskfarm
 * module.
 */
package org.diskfarm.transport;
