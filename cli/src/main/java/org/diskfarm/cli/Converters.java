package org.diskfarm.cli;

import org.diskfarm.store.ByteSize;
import org.diskfarm.store.VDiskMode;
import org.diskfarm.store.WriteCacheType;
import org.diskfarm.vhd.VhdType;
import picocli.CommandLine;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/** Picocli converters for the values options take: sizes and the lower-case labels of enums. */
final class Converters {
    private Converters() {
    }

    /** SIZE: bytes, or a whole number with K, M, G or T, optionally followed by {@code iB} or {@code B}; all binary. */
    static final class Size implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return ByteSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code dynamic} or {@code fixed}: the kinds of VHD a command creates from scratch. */
    static final class NewVhdType implements CommandLine.ITypeConverter<VhdType> {
        @Override
        public VhdType convert(String value) {
            return switch (value) {
                case "dynamic" -> VhdType.DYNAMIC;
                case "fixed" -> VhdType.FIXED;
                default -> throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a type: use dynamic or fixed");
            };
        }
    }

    static final class NewVhdTypes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("dynamic", "fixed").iterator();
        }
    }

    static final class Mode implements CommandLine.ITypeConverter<VDiskMode> {
        @Override
        public VDiskMode convert(String value) {
            VDiskMode mode = VDiskMode.fromLabel(value);
            if (mode == null) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a mode: use private or standard");
            }
            return mode;
        }
    }

    static final class Modes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(VDiskMode.values()).map(VDiskMode::label).iterator();
        }
    }

    static final class Cache implements CommandLine.ITypeConverter<WriteCacheType> {
        @Override
        public WriteCacheType convert(String value) {
            WriteCacheType type = WriteCacheType.fromLabel(value);
            if (type == null) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a write cache type: use ram, ram-overflow or server-disk");
            }
            return type;
        }
    }

    static final class Caches implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(WriteCacheType.values()).map(WriteCacheType::label).iterator();
        }
    }

    /** {@code true} or {@code false}, nothing else. */
    static final class StrictBoolean implements CommandLine.ITypeConverter<Boolean> {
        @Override
        public Boolean convert(String value) {
            return switch (value) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not true or false");
            };
        }
    }
}
