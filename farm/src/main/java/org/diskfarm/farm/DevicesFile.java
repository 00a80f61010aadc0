package org.diskfarm.farm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The target devices of a server without a farm database: a CSV file, {@code DATA/devices.csv}, that administrators
 * edit by hand or generate. The first line is the header {@code mac,name,vdisk}; then one device per line, for example
 * {@code 52:54:00:12:34:56,pc01,win10}. Blank lines and lines starting with {@code #} are skipped.
 *
 * <p>The file is read again whenever its modification time or size changes, so a device added while the server runs
 * can connect at once. A missing file means no devices. A bad file is refused as a whole with one line naming the file,
 * the line and the problem: at {@link #open} as an exception, later as one log line while the last good content stays
 * in use ({@link ReloadingFile}).
 */
public final class DevicesFile implements DeviceDirectory {
    /** The header line the file must start with. */
    public static final String HEADER = "mac,name,vdisk";

    private final ReloadingFile<Map<MacAddress, TargetDevice>> file;
    private volatile Listed listed;

    private DevicesFile(ReloadingFile<Map<MacAddress, TargetDevice>> file) {
        this.file = file;
    }

    /**
     * Reads the file.
     *
     * @throws IllegalArgumentException with a one-line message naming the file and line if it is bad
     * @throws java.io.UncheckedIOException if it exists and cannot be read
     */
    public static DevicesFile open(Path file) {
        return new DevicesFile(new ReloadingFile<>(file, DevicesFile::parse, Map.of(), "devices"));
    }

    public Path file() {
        return file.file();
    }

    @Override
    public Optional<TargetDevice> find(MacAddress mac) {
        return Optional.ofNullable(file.current().get(mac));
    }

    /**
     * {@inheritDoc} The same list instance is returned until the file changes, so that a caller can tell a change by
     * identity without comparing every device (the farm's import asks at every connection).
     */
    @Override
    public List<TargetDevice> all() {
        Listed last = listed;
        Map<MacAddress, TargetDevice> current = file.current();
        if (last == null || last.from != current) {
            last = new Listed(current, List.copyOf(current.values()));
            listed = last;
        }
        return last.devices;
    }

    /** The list made from one parsed content of the file. */
    private record Listed(Map<MacAddress, TargetDevice> from, List<TargetDevice> devices) {
    }

    static Map<MacAddress, TargetDevice> parse(Path file, List<String> lines) {
        Map<MacAddress, TargetDevice> devices = new TreeMap<>();
        Map<String, Integer> names = new HashMap<>();
        for (CsvRows.Row row : CsvRows.read(file, lines, HEADER, true)) {
            String[] fields = row.fields();
            String where = row.where();
            MacAddress mac = MacAddress.tryParse(fields[0].strip()).orElseThrow(() -> new IllegalArgumentException(
                    where + "not a MAC address: '" + fields[0].strip() + "'"));
            String name = fields[1].strip();
            String vdisk = fields[2].strip();
            if (name.isEmpty() || vdisk.isEmpty()) {
                throw new IllegalArgumentException(where + "the device's name and vDisk must not be empty");
            }
            if (devices.containsKey(mac)) {
                throw new IllegalArgumentException(where + "MAC address " + mac + " is listed twice");
            }
            Integer other = names.put(name, row.line());
            if (other != null) {
                throw new IllegalArgumentException(where + "device name " + name + " is used on line " + other
                        + " too");
            }
            devices.put(mac, new TargetDevice(mac, name, vdisk));
        }
        return Collections.unmodifiableMap(devices);
    }

    /** The file's text for these devices, header first; what an administrator would write. */
    public static String render(List<TargetDevice> devices) {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        for (TargetDevice device : devices) {
            lines.add(device.mac() + "," + device.name() + "," + device.vdisk());
        }
        return String.join("\n", lines) + "\n";
    }
}
