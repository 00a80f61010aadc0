package org.diskfarm.iscsi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Text keys (RFC 7143 section 6.1): {@code key=value} pairs, each ended by a NUL byte, UTF-8. */
final class TextKeys {
    /** Longest key name (section 6.1) and value we take (section 6.1: 255 / 8192 for some; we cap everything). */
    static final int MAX_KEY = 63;
    static final int MAX_VALUE = 8192;

    private TextKeys() {
    }

    /**
     * The pairs in order. A pair without '=' or with an over-long key is a format error ({@link IscsiProtocolException}).
     * A last pair without its NUL is taken as it is (initiators pad with NULs; the C bit joins segments before this).
     */
    static List<Map.Entry<String, String>> parse(byte[] data) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= data.length; i++) {
            if (i == data.length || data[i] == 0) {
                if (i > start) {
                    String pair = new String(data, start, i - start, StandardCharsets.UTF_8);
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        throw new IscsiProtocolException("text key without '=': " + shorten(pair));
                    }
                    String key = pair.substring(0, eq);
                    if (key.length() > MAX_KEY) {
                        throw new IscsiProtocolException("text key longer than 63 characters: " + shorten(key));
                    }
                    String value = pair.substring(eq + 1);
                    if (value.length() > MAX_VALUE) {
                        throw new IscsiProtocolException("value of " + key + " longer than 8192 bytes");
                    }
                    out.add(Map.entry(key, value));
                }
                start = i + 1;
            }
        }
        return out;
    }

    static byte[] encode(List<Map.Entry<String, String>> pairs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> pair : pairs) {
            out.writeBytes((pair.getKey() + "=" + pair.getValue()).getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    static String shorten(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 60 ? printable.substring(0, 60) + "..." : printable;
    }
}
