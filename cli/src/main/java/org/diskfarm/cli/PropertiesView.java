package org.diskfarm.cli;

import org.diskfarm.store.ByteSize;
import org.diskfarm.store.VDiskProperties;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;

/** How {@code vdisk info} and {@code vdisk set} show a vDisk's properties, as text and as JSON. */
final class PropertiesView {
    private PropertiesView() {
    }

    /** Indented {@code label: value} lines. */
    static void print(PrintWriter out, VDiskProperties p, String indent) {
        line(out, indent, "description", p.description().isEmpty() ? "(none)" : p.description().replace("\n", "\\n"));
        line(out, indent, "mode", p.mode().label());
        line(out, indent, "write cache", p.writeCacheType().label() + ", " + ByteSize.human(p.writeCacheSize()));
        line(out, indent, "load balancing", onOff(p.loadBalancing()));
        line(out, indent, "high availability", onOff(p.highAvailability()));
        line(out, indent, "version", p.version() == 0 ? "0 (base)" : Integer.toString(p.version()));
        line(out, indent, "content hash", p.contentHash() == null ? "(not computed)" : p.contentHash().toString());
    }

    static ObjectNode json(VDiskProperties p) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("formatVersion", VDiskProperties.FORMAT_VERSION);
        node.put("description", p.description());
        node.put("mode", p.mode().label());
        node.put("writeCacheType", p.writeCacheType().label());
        node.put("writeCacheSize", p.writeCacheSize());
        node.put("loadBalancing", p.loadBalancing());
        node.put("highAvailability", p.highAvailability());
        node.put("version", p.version());
        if (p.contentHash() == null) {
            node.putNull("contentHash");
        } else {
            node.put("contentHash", p.contentHash().toString());
        }
        return node;
    }

    /** One aligned line: the label and its colon padded to a column, then the value. */
    static void line(PrintWriter out, String indent, String label, String value) {
        String padded = String.format("%-" + (20 - indent.length()) + "s", label + ":");
        out.println((indent + padded + " " + value).stripTrailing());
    }

    private static String onOff(boolean value) {
        return value ? "on" : "off";
    }
}
