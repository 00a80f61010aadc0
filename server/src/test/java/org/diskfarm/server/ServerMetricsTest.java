package org.diskfarm.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diskfarm.block.BlockDevice;
import org.diskfarm.block.IoFlags;
import org.diskfarm.block.MemoryDevice;
import org.diskfarm.block.StorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What {@code GET /metrics} shows: the series of docs/api.md, "Metrics", in valid Prometheus text. */
class ServerMetricsTest {
    private final VDiskStats stats = new VDiskStats();
    private final AtomicInteger nbd = new AtomicInteger(3);
    private final AtomicInteger iscsi = new AtomicInteger(1);
    private final AtomicReference<Map<String, Long>> cacheUsed = new AtomicReference<>(Map.of("gold", 8192L));
    private final AtomicBoolean databaseUp = new AtomicBoolean(true);
    private ServerMetrics metrics;

    @BeforeEach
    void start() {
        metrics = new ServerMetrics("srv1", stats, nbd::get, iscsi::get, cacheUsed::get, databaseUp::get);
    }

    @AfterEach
    void stop() {
        metrics.close();
    }

    @Test
    void everySeriesOfTheContractHasItsLabelsAndValues() {
        BlockDevice gold = stats.count("gold", MemoryDevice.of(1 << 20), 0);
        gold.write(0, ByteBuffer.allocate(4096), IoFlags.NONE);
        gold.write(4096, ByteBuffer.allocate(512), IoFlags.NONE);
        gold.read(0, ByteBuffer.allocate(1000));
        gold.read(0, ByteBuffer.allocate(24));
        gold.read(0, ByteBuffer.allocate(3000));
        assertThatThrownBy(() -> gold.read(1 << 20, ByteBuffer.allocate(1))).isInstanceOf(StorageException.class);

        Map<String, Double> series = parse(metrics.scrape());

        assertThat(series).containsEntry("diskfarm_read_bytes_total{server=\"srv1\",vdisk=\"gold\"}", 4024.0)
                .containsEntry("diskfarm_reads_total{server=\"srv1\",vdisk=\"gold\"}", 3.0)
                .containsEntry("diskfarm_written_bytes_total{server=\"srv1\",vdisk=\"gold\"}", 4608.0)
                .containsEntry("diskfarm_writes_total{server=\"srv1\",vdisk=\"gold\"}", 2.0)
                .containsEntry("diskfarm_io_errors_total{server=\"srv1\",vdisk=\"gold\"}", 1.0)
                .containsEntry("diskfarm_devices_connected{protocol=\"nbd\",server=\"srv1\"}", 3.0)
                .containsEntry("diskfarm_devices_connected{protocol=\"iscsi\",server=\"srv1\"}", 1.0)
                .containsEntry("diskfarm_write_cache_used_bytes{server=\"srv1\",vdisk=\"gold\"}", 8192.0)
                .containsEntry("diskfarm_farm_database_up{server=\"srv1\"}", 1.0);
        Set<String> ours = new TreeSet<>();
        for (String key : series.keySet()) {
            if (key.startsWith("diskfarm_")) {
                ours.add(key.substring(0, key.indexOf('{')));
            }
        }
        assertThat(ours).containsExactlyInAnyOrder("diskfarm_read_bytes_total", "diskfarm_reads_total",
                "diskfarm_written_bytes_total", "diskfarm_writes_total", "diskfarm_io_errors_total",
                "diskfarm_devices_connected", "diskfarm_write_cache_used_bytes", "diskfarm_farm_database_up");
    }

    @Test
    void countersAreCountersAndGaugesGauges() {
        stats.of("gold");
        String text = metrics.scrape();
        // Text format 0.0.4 names a counter's family with its _total, as its samples.
        for (String counter : new String[] {"diskfarm_read_bytes_total", "diskfarm_written_bytes_total",
                "diskfarm_reads_total", "diskfarm_writes_total", "diskfarm_io_errors_total"}) {
            assertThat(text).contains("# TYPE " + counter + " counter\n");
        }
        for (String gauge : new String[] {"diskfarm_devices_connected", "diskfarm_write_cache_used_bytes",
                "diskfarm_farm_database_up"}) {
            assertThat(text).contains("# TYPE " + gauge + " gauge\n");
        }
    }

    @Test
    void aVDiskUsedAfterAScrapeAppearsOnTheNext() {
        stats.count("gold", MemoryDevice.of(4096), 0).read(0, ByteBuffer.allocate(512));
        assertThat(parse(metrics.scrape()).keySet()).noneMatch(key -> key.contains("win11"));

        stats.count("win11", MemoryDevice.of(4096), 0).write(0, ByteBuffer.allocate(2048), IoFlags.NONE);
        cacheUsed.set(Map.of("gold", 8192L, "win11", 2048L));
        Map<String, Double> series = parse(metrics.scrape());

        assertThat(series).containsEntry("diskfarm_written_bytes_total{server=\"srv1\",vdisk=\"win11\"}", 2048.0)
                .containsEntry("diskfarm_writes_total{server=\"srv1\",vdisk=\"win11\"}", 1.0)
                .containsEntry("diskfarm_read_bytes_total{server=\"srv1\",vdisk=\"win11\"}", 0.0)
                .containsEntry("diskfarm_write_cache_used_bytes{server=\"srv1\",vdisk=\"win11\"}", 2048.0)
                .containsEntry("diskfarm_read_bytes_total{server=\"srv1\",vdisk=\"gold\"}", 512.0);
    }

    @Test
    void gaugesFollowWhatTheyWatch() {
        parse(metrics.scrape());
        nbd.set(17);
        iscsi.set(0);
        databaseUp.set(false);
        cacheUsed.set(Map.of()); // gold's caches were dropped
        Map<String, Double> series = parse(metrics.scrape());
        assertThat(series).containsEntry("diskfarm_devices_connected{protocol=\"nbd\",server=\"srv1\"}", 17.0)
                .containsEntry("diskfarm_devices_connected{protocol=\"iscsi\",server=\"srv1\"}", 0.0)
                .containsEntry("diskfarm_farm_database_up{server=\"srv1\"}", 0.0)
                .containsEntry("diskfarm_write_cache_used_bytes{server=\"srv1\",vdisk=\"gold\"}", 0.0);
    }

    @Test
    void theJvmsOwnMetricsCarryTheServerLabelAndVirtualThreadMetricsAreLeftOut() {
        Map<String, Double> series = parse(metrics.scrape());
        Set<String> names = new TreeSet<>();
        for (String key : series.keySet()) {
            int brace = key.indexOf('{');
            names.add(brace < 0 ? key : key.substring(0, brace));
        }
        assertThat(names).contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_uptime_seconds",
                "jvm_gc_memory_allocated_bytes_total");
        assertThat(names).noneMatch(name -> name.contains("virtual"));
        assertThat(series.keySet()).filteredOn(key -> key.startsWith("jvm_memory_used_bytes"))
                .isNotEmpty().allMatch(key -> key.contains("server=\"srv1\""));
    }

    @Test
    void totalsOverAllVDisksAreKeptForTheServersOwnRecord() {
        stats.count("a", MemoryDevice.of(4096), 0).read(0, ByteBuffer.allocate(100));
        stats.count("b", MemoryDevice.of(4096), 0).read(0, ByteBuffer.allocate(50));
        stats.count("b", MemoryDevice.of(4096), 0).write(0, ByteBuffer.allocate(7), IoFlags.NONE);
        assertThat(stats.bytesRead()).isEqualTo(150);
        assertThat(stats.bytesWritten()).isEqualTo(7);
        assertThat(stats.of("b")).isSameAs(stats.all().get("b"));
    }

    @Test
    void closingTwiceIsHarmless() {
        metrics.close();
        metrics.close();
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

    /**
     * Parses Prometheus text format 0.0.4, failing on any line that is not a HELP or TYPE comment or a sample
     * {@code name{label="value",...} value}: the samples by {@code name{labels sorted}}.
     */
    private static Map<String, Double> parse(String text) {
        assertThat(text).endsWith("\n");
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                assertThat(line).matches(COMMENT);
                continue;
            }
            Matcher name = NAME.matcher(line);
            assertThat(name.lookingAt()).as(line).isTrue();
            int at = name.end();
            Map<String, String> labels = new TreeMap<>();
            if (line.charAt(at) == '{') {
                at++;
                while (line.charAt(at) != '}') {
                    Matcher label = LABEL.matcher(line).region(at, line.length());
                    assertThat(label.lookingAt()).as("a label at %d of %s", at, line).isTrue();
                    assertThat(labels.put(label.group(1), label.group(2))).as("repeated label: " + line).isNull();
                    at = label.end();
                    if (line.charAt(at) == ',') {
                        at++;
                    }
                }
                at++;
            }
            assertThat(line.charAt(at)).as(line).isEqualTo(' ');
            String value = line.substring(at + 1);
            assertThat(value).as(line).doesNotContain(" "); // no timestamps from this registry
            StringBuilder key = new StringBuilder(name.group());
            if (!labels.isEmpty()) {
                key.append('{');
                labels.forEach((k, v) -> key.append(k).append("=\"").append(v).append("\","));
                key.setCharAt(key.length() - 1, '}');
            }
            assertThat(samples.put(key.toString(), number(value))).as("repeated series: " + line).isNull();
        }
        return samples;
    }

    private static double number(String value) {
        return switch (value) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(value);
        };
    }
}
