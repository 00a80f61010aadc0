package org.diskfarm.cli;

import org.diskfarm.store.ByteSize;
import org.diskfarm.store.VDiskProperties;
import org.diskfarm.vhd.VhdInfo;
import org.diskfarm.vhd.VhdType;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * How {@code vdisk info} shows a VHD file: aligned text for people, or one JSON object whose fields are named after
 * the {@link VhdInfo} record components (the parent nested under {@code parent}) plus {@code properties}.
 */
final class InfoView {
    private InfoView() {
    }

    static void print(PrintWriter out, VhdInfo info, Path pvp, VDiskProperties properties) {
        PropertiesView.line(out, "", "file", info.file());
        PropertiesView.line(out, "", "type", info.type().label());
        PropertiesView.line(out, "", "virtual size", bytes(info.virtualSize()));
        PropertiesView.line(out, "", "geometry (C/H/S)", info.geometry() + " = "
                + info.geometry().sectors() * 512 + " bytes");
        PropertiesView.line(out, "", "block size", info.type() == VhdType.FIXED ? "none (fixed disk)"
                : bytes(info.blockSize()));
        PropertiesView.line(out, "", "allocated", bytes(info.allocatedBytes()));
        PropertiesView.line(out, "", "file size", bytes(info.fileSize()));
        PropertiesView.line(out, "", "unique id", String.valueOf(info.uniqueId()));
        PropertiesView.line(out, "", "time stamp", String.valueOf(info.timestamp()));
        PropertiesView.line(out, "", "creator", creator(info.creatorApplication()));
        PropertiesView.line(out, "", "footer recovered", info.footerRecovered()
                ? "yes: the footer at the end was damaged, the copy at the start was used" : "no");
        printChain(out, info);
        if (properties != null) {
            PropertiesView.line(out, "", "properties", pvp.toString());
            PropertiesView.print(out, properties, "  ");
        } else {
            PropertiesView.line(out, "", "properties", "none" + (pvp == null ? "" : " (no " + pvp + ")"));
        }
    }

    private static void printChain(PrintWriter out, VhdInfo info) {
        List<VhdInfo> chain = info.chain();
        if (chain.size() == 1) {
            PropertiesView.line(out, "", "parent chain", "none");
            return;
        }
        out.println("parent chain:");
        for (int i = 1; i < chain.size(); i++) {
            VhdInfo child = chain.get(i - 1);
            VhdInfo parent = chain.get(i);
            out.println("  " + i + ". " + parent.file() + "  " + parent.type().label() + "  id " + parent.uniqueId());
            if (child.parentUniqueId() != null && !child.parentUniqueId().equals(parent.uniqueId())) {
                out.println("     warning: " + child.file() + " records parent id " + child.parentUniqueId());
            }
        }
    }

    static ObjectNode json(VhdInfo info, VDiskProperties properties) {
        ObjectNode node = json(info);
        if (properties == null) {
            node.putNull("properties");
        } else {
            node.set("properties", PropertiesView.json(properties));
        }
        return node;
    }

    private static ObjectNode json(VhdInfo info) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("file", info.file());
        node.put("type", info.type().label());
        node.put("virtualSize", info.virtualSize());
        ObjectNode geometry = node.putObject("geometry");
        geometry.put("cylinders", info.geometry().cylinders());
        geometry.put("heads", info.geometry().heads());
        geometry.put("sectorsPerTrack", info.geometry().sectorsPerTrack());
        node.put("blockSize", info.blockSize());
        node.put("allocatedBytes", info.allocatedBytes());
        node.put("fileSize", info.fileSize());
        putText(node, "uniqueId", info.uniqueId());
        putText(node, "timestamp", info.timestamp());
        node.put("creatorApplication", creator(info.creatorApplication()));
        if (info.parent() == null) {
            node.putNull("parent");
        } else {
            node.set("parent", json(info.parent()));
        }
        putText(node, "parentUniqueId", info.parentUniqueId());
        putText(node, "parentTimestamp", info.parentTimestamp());
        node.put("footerRecovered", info.footerRecovered());
        return node;
    }

    private static void putText(ObjectNode node, String field, Object value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value.toString());
        }
    }

    private static String bytes(long value) {
        String human = ByteSize.human(value);
        return value < 1024 ? human : value + " bytes (" + human + ")";
    }

    /** The four-character creator field without padding. */
    private static String creator(String value) {
        return value == null ? "" : value.replace('\0', ' ').strip();
    }
}
