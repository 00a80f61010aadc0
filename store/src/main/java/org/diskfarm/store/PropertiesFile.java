package org.diskfarm.store;

import org.diskfarm.block.ContentHash;
import org.diskfarm.block.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes {@link VDiskProperties} as a .pvp file: TOML, one {@code key = value} per line, every key
 * commented. See {@code docs/vdisk-properties.md}. Unknown keys are errors, so a typo is never silently ignored; keys
 * left out take their defaults, except {@code format-version}, which every file states.
 *
 * <p>Stateless; safe from any thread. Two writers of the same file race (the last rename wins), but readers always see
 * a whole file.
 */
final class PropertiesFile {
    static final String FORMAT_VERSION = "format-version";
    static final String DESCRIPTION = "description";
    static final String MODE = "mode";
    static final String WRITE_CACHE = "write-cache";
    static final String WRITE_CACHE_SIZE = "write-cache-size";
    static final String LOAD_BALANCING = "load-balancing";
    static final String HIGH_AVAILABILITY = "high-availability";
    static final String VERSION = "version";
    static final String CONTENT_HASH = "content-hash";
    private static final Set<String> KEYS = Set.of(FORMAT_VERSION, DESCRIPTION, MODE, WRITE_CACHE, WRITE_CACHE_SIZE,
            LOAD_BALANCING, HIGH_AVAILABILITY, VERSION, CONTENT_HASH);
    /** Larger files are not properties files. */
    private static final long MAX_FILE_SIZE = 64 << 10;

    private PropertiesFile() {
    }

    static VDiskProperties read(Path pvp) {
        String text = readText(pvp);
        Map<String, TomlReader.Entry> entries;
        try {
            entries = TomlReader.parse(text);
        } catch (TomlReader.SyntaxError e) {
            throw corrupt(pvp, e.line, e.getMessage());
        }
        return new Binder(pvp, entries).bind();
    }

    static void write(Path pvp, VDiskProperties properties) {
        AtomicFiles.write(pvp, render(properties).getBytes(StandardCharsets.UTF_8));
    }

    static String render(VDiskProperties p) {
        StringBuilder out = new StringBuilder();
        out.append("# diskfarm vDisk properties (docs/vdisk-properties.md). Edit with `diskfarm vdisk set`,\n");
        out.append("# or by hand while no server uses the vDisk.\n");
        out.append(FORMAT_VERSION).append(" = ").append(VDiskProperties.FORMAT_VERSION).append('\n');
        out.append(DESCRIPTION).append(" = ").append(quote(p.description())).append('\n');
        out.append("\n# private: one device reads and writes the vDisk; standard: many devices share it read-only\n");
        out.append(MODE).append(" = ").append(quote(p.mode().label())).append('\n');
        out.append("# where a Standard-mode device's writes go: ram, ram-overflow or server-disk\n");
        out.append(WRITE_CACHE).append(" = ").append(quote(p.writeCacheType().label())).append('\n');
        out.append("# the most one device's write cache holds: bytes, or a number with KiB, MiB, GiB, TiB\n");
        out.append(WRITE_CACHE_SIZE).append(" = ").append(quote(ByteSize.format(p.writeCacheSize()))).append('\n');
        out.append("\n# serve devices from the least busy server that holds a copy\n");
        out.append(LOAD_BALANCING).append(" = ").append(p.loadBalancing()).append('\n');
        out.append("# let devices fail over to another server that holds a copy\n");
        out.append(HIGH_AVAILABILITY).append(" = ").append(p.highAvailability()).append('\n');
        out.append("\n# 0 for the base disk NAME.vhd, N for the version NAME.N.vhd\n");
        out.append(VERSION).append(" = ").append(p.version()).append('\n');
        if (p.contentHash() != null) {
            out.append("# the image's content hash when it was last computed (diskfarm vdisk hash --update)\n");
            out.append(CONTENT_HASH).append(" = ").append(quote(p.contentHash().toString())).append('\n');
        }
        return out.toString();
    }

    /** A TOML basic string: quotes, backslashes and control characters escaped. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String readText(Path pvp) {
        try {
            if (Files.size(pvp) > MAX_FILE_SIZE) {
                throw corrupt(pvp, 0, "larger than " + MAX_FILE_SIZE + " bytes: not a properties file");
            }
            byte[] bytes = Files.readAllBytes(pvp);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, pvp + ": no such file");
        } catch (CharacterCodingException e) {
            throw corrupt(pvp, 0, "not UTF-8 text");
        } catch (IOException e) {
            throw StorageException.io(pvp + ": cannot read", e);
        }
    }

    static StorageException corrupt(Path pvp, int line, String message) {
        return StorageException.corrupt(pvp + (line > 0 ? ", line " + line : "") + ": " + message);
    }

    /** Turns parsed entries into properties, checking each key's type and value. */
    private record Binder(Path pvp, Map<String, TomlReader.Entry> entries) {

        VDiskProperties bind() {
            for (TomlReader.Entry entry : entries.values()) {
                if (!KEYS.contains(entry.key())) {
                    throw corrupt(pvp, entry.line(), "unknown key \"" + entry.key() + "\"");
                }
            }
            TomlReader.Entry format = entries.get(FORMAT_VERSION);
            if (format == null) {
                throw corrupt(pvp, 0, "missing \"" + FORMAT_VERSION + " = " + VDiskProperties.FORMAT_VERSION
                        + "\": not a vDisk properties file");
            }
            long formatVersion = integer(format);
            if (formatVersion != VDiskProperties.FORMAT_VERSION) {
                throw bad(format, "format version " + formatVersion + " is not supported (this diskfarm reads "
                        + VDiskProperties.FORMAT_VERSION + ")");
            }
            VDiskProperties d = VDiskProperties.DEFAULTS;
            return new VDiskProperties(
                    string(DESCRIPTION, d.description()),
                    mode(d.mode()),
                    writeCache(d.writeCacheType()),
                    writeCacheSize(d.writeCacheSize()),
                    bool(LOAD_BALANCING, d.loadBalancing()),
                    bool(HIGH_AVAILABILITY, d.highAvailability()),
                    version(d.version()),
                    contentHash());
        }

        private VDiskMode mode(VDiskMode fallback) {
            TomlReader.Entry entry = entries.get(MODE);
            if (entry == null) {
                return fallback;
            }
            VDiskMode mode = VDiskMode.fromLabel(string(entry));
            if (mode == null) {
                throw bad(entry, "unknown mode \"" + entry.value() + "\" (expected private or standard)");
            }
            return mode;
        }

        private WriteCacheType writeCache(WriteCacheType fallback) {
            TomlReader.Entry entry = entries.get(WRITE_CACHE);
            if (entry == null) {
                return fallback;
            }
            WriteCacheType type = WriteCacheType.fromLabel(string(entry));
            if (type == null) {
                throw bad(entry, "unknown write cache type \"" + entry.value()
                        + "\" (expected ram, ram-overflow or server-disk)");
            }
            return type;
        }

        private long writeCacheSize(long fallback) {
            TomlReader.Entry entry = entries.get(WRITE_CACHE_SIZE);
            if (entry == null) {
                return fallback;
            }
            long bytes;
            if (entry.value() instanceof Long number) {
                bytes = number;
            } else if (entry.value() instanceof String text) {
                try {
                    bytes = ByteSize.parse(text);
                } catch (IllegalArgumentException e) {
                    throw bad(entry, e.getMessage());
                }
            } else {
                throw bad(entry, "expected a size such as \"4GiB\" or a number of bytes, found " + entry.value());
            }
            if (bytes <= 0) {
                throw bad(entry, "the size must be at least 1 byte");
            }
            return bytes;
        }

        private int version(int fallback) {
            TomlReader.Entry entry = entries.get(VERSION);
            if (entry == null) {
                return fallback;
            }
            long version = integer(entry);
            if (version < 0 || version > Integer.MAX_VALUE) {
                throw bad(entry, "version must be 0 (the base disk) or a positive number, found " + version);
            }
            return (int) version;
        }

        private ContentHash contentHash() {
            TomlReader.Entry entry = entries.get(CONTENT_HASH);
            if (entry == null) {
                return null;
            }
            try {
                return ContentHash.parse(string(entry));
            } catch (IllegalArgumentException e) {
                throw bad(entry, "expected \"sha256:\" and 64 hex digits, found \"" + entry.value() + "\"");
            }
        }

        private String string(String key, String fallback) {
            TomlReader.Entry entry = entries.get(key);
            return entry == null ? fallback : string(entry);
        }

        private boolean bool(String key, boolean fallback) {
            TomlReader.Entry entry = entries.get(key);
            if (entry == null) {
                return fallback;
            }
            if (!(entry.value() instanceof Boolean value)) {
                throw bad(entry, "expected true or false, found " + show(entry.value()));
            }
            return value;
        }

        private String string(TomlReader.Entry entry) {
            if (!(entry.value() instanceof String value)) {
                throw bad(entry, "expected a \"quoted string\", found " + show(entry.value()));
            }
            return value;
        }

        private long integer(TomlReader.Entry entry) {
            if (!(entry.value() instanceof Long value)) {
                throw bad(entry, "expected a whole number, found " + show(entry.value()));
            }
            return value;
        }

        private StorageException bad(TomlReader.Entry entry, String message) {
            return corrupt(pvp, entry.line(), "key \"" + entry.key() + "\": " + message);
        }

        private static String show(Object value) {
            return value instanceof String text ? quote(text) : String.valueOf(value);
        }
    }
}
