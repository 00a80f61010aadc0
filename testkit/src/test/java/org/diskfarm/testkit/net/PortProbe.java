package org.diskfarm.testkit.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JDK UDP socket as a Java proxy DHCP would open one, run by {@link NetLabTest} inside a lab namespace
 * ({@code ip netns exec NS java -cp ... PortProbe ...}: a JVM cannot enter another network namespace itself).
 * <ul>
 *   <li>{@code listen HOST PORT OPTIONS MILLIS}: a DatagramChannel (IPv4) with SO_REUSEADDR if OPTIONS contains
 *       {@code addr}, SO_REUSEPORT if it contains {@code port}, bound to HOST:PORT; prints {@code BOUND ...} or
 *       {@code BIND-FAILED <exception>}, then {@code RECEIVED <n> bytes from IP:PORT} per datagram for MILLIS ms and
 *       {@code DONE}. Prints {@code READY} once bound, for the test to start sending.</li>
 *   <li>{@code send FROM TO PORT COUNT MAC}: COUNT DHCPDISCOVERs for client MAC with vendor class PXEClient, unicast
 *       from FROM to TO:PORT, 50 ms apart; prints {@code SENT n}.</li>
 * </ul>
 */
public final class PortProbe {
    private PortProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("listen")) {
            listen(args[1], Integer.parseInt(args[2]), args[3], Long.parseLong(args[4]));
        } else {
            send(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), args[5]);
        }
    }

    private static void listen(String host, int port, String options, long millis) throws Exception {
        try (DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET)) {
            if (options.contains("addr")) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            if (options.contains("port")) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.setOption(StandardSocketOptions.SO_BROADCAST, true);
            try {
                channel.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            } catch (Exception e) {
                System.out.println("BIND-FAILED " + e);
                return;
            }
            System.out.println("BOUND " + channel.getLocalAddress() + " SO_REUSEADDR="
                    + channel.getOption(StandardSocketOptions.SO_REUSEADDR) + " SO_REUSEPORT="
                    + channel.getOption(StandardSocketOptions.SO_REUSEPORT));
            System.out.println("READY");
            System.out.flush();
            channel.configureBlocking(false);
            ByteBuffer buffer = ByteBuffer.allocate(2048);
            long end = System.nanoTime() + millis * 1_000_000;
            while (System.nanoTime() < end) {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                if (from == null) {
                    Thread.sleep(10);
                    continue;
                }
                System.out.println("RECEIVED " + buffer.position() + " bytes from " + from);
                System.out.flush();
            }
            System.out.println("DONE");
        }
    }

    private static void send(String from, String to, int port, int count, String mac) throws Exception {
        byte[] discover = discover(mac);
        try (DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET)) {
            channel.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            for (int i = 0; i < count; i++) {
                discover[4] = (byte) i;  // a transaction id per message
                channel.send(ByteBuffer.wrap(discover), new InetSocketAddress(InetAddress.getByName(to), port));
                Thread.sleep(50);
            }
        }
        System.out.println("SENT " + count);
    }

    /** A DHCPDISCOVER from {@code mac} with vendor class "PXEClient:Arch:00000:UNDI:002001". */
    static byte[] discover(String mac) {
        ByteBuffer packet = ByteBuffer.allocate(300);
        packet.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0);  // op, htype, hlen, hops
        packet.putInt(0x4e4c0000);  // xid
        packet.position(28);
        for (String part : mac.split(":")) {
            packet.put((byte) Integer.parseInt(part, 16));
        }
        packet.position(236);
        packet.putInt(0x63825363);  // magic cookie
        packet.put((byte) 53).put((byte) 1).put((byte) 1);  // DHCPDISCOVER
        byte[] vendor = "PXEClient:Arch:00000:UNDI:002001".getBytes(StandardCharsets.US_ASCII);
        packet.put((byte) 60).put((byte) vendor.length).put(vendor);
        packet.put((byte) 255);
        return packet.array();
    }

    /** The command line that runs this class with the test's own java and classpath. */
    static List<String> command(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath;
        try {
            classpath = Path.of(PortProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> line = new ArrayList<>(List.of(java, "-cp", classpath,
                PortProbe.class.getName()));
        line.addAll(List.of(args));
        return line;
    }
}
