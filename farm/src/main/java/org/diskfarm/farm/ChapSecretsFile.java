package org.diskfarm.farm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The CHAP secrets of a server without a farm database: {@code DATA/chap-secrets.csv}. The first line is the header
 * {@code target,user,secret,target_user,target_secret}; then one line per target: its key (a vDisk name for the
 * vDisk's target, a device's MAC address for the device's target, or {@code *} for every target without a line of its
 * own), the initiator's CHAP user and secret, and for mutual CHAP the target's user and secret (else empty). Blank
 * lines and lines starting with {@code #} are skipped; a field cannot contain a comma. Read again when it changes, as
 * {@code devices.csv} is; a bad file is refused with one line naming the file and line. No file: no target needs CHAP.
 *
 * <p>It holds secrets: keep it readable by the server's user only ({@code chmod 600}); the server warns otherwise.
 */
public final class ChapSecretsFile implements ChapSecrets {
    private static final System.Logger LOG = System.getLogger(ChapSecretsFile.class.getName());
    /** The header line the file must start with. */
    public static final String HEADER = "target,user,secret,target_user,target_secret";
    /** The key of the line that applies to every target without a line of its own. */
    public static final String ANY = "*";

    private final ReloadingFile<Map<String, ChapSecret>> file;

    private ChapSecretsFile(ReloadingFile<Map<String, ChapSecret>> file) {
        this.file = file;
    }

    /**
     * Reads the file.
     *
     * @throws IllegalArgumentException with a one-line message naming the file and line if it is bad
     */
    public static ChapSecretsFile open(Path path) {
        ChapSecretsFile secrets = new ChapSecretsFile(new ReloadingFile<>(path, ChapSecretsFile::parse, Map.of(),
                "CHAP secrets"));
        warnIfOthersCanRead(path);
        return secrets;
    }

    public Path file() {
        return file.file();
    }

    @Override
    public Optional<ChapSecret> forVDisk(String vdisk) {
        return find(vdisk);
    }

    @Override
    public Optional<ChapSecret> forDevice(MacAddress mac) {
        return find(mac.toString());
    }

    private Optional<ChapSecret> find(String key) {
        Map<String, ChapSecret> secrets = file.current();
        ChapSecret secret = secrets.get(key);
        return Optional.ofNullable(secret != null ? secret : secrets.get(ANY));
    }

    static Map<String, ChapSecret> parse(Path file, List<String> lines) {
        Map<String, ChapSecret> secrets = new HashMap<>();
        // Never echo a line: it holds a secret.
        for (CsvRows.Row row : CsvRows.read(file, lines, HEADER, false)) {
            String[] fields = row.fields();
            String where = row.where();
            String key = fields[0].strip();
            Optional<MacAddress> mac = MacAddress.tryParse(key);
            if (mac.isPresent()) {
                key = mac.get().toString();
            } else if (key.isEmpty()) {
                throw new IllegalArgumentException(where + "the target (a vDisk name, a MAC address or *) is empty");
            }
            String targetUser = fields[3].strip();
            String targetSecret = fields[4].strip();
            ChapSecret secret;
            try {
                secret = new ChapSecret(fields[1].strip(), fields[2].strip(),
                        targetUser.isEmpty() ? null : targetUser, targetSecret.isEmpty() ? null : targetSecret);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage());
            }
            if (secrets.put(key, secret) != null) {
                throw new IllegalArgumentException(where + "target " + key + " is listed twice");
            }
        }
        return Collections.unmodifiableMap(secrets);
    }

    private static void warnIfOthersCanRead(Path path) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
            if (permissions.contains(PosixFilePermission.GROUP_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.log(System.Logger.Level.WARNING, "{0} holds CHAP secrets and others can read it: chmod 600 {0}",
                        path);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no file (no secrets) or no POSIX permissions: nothing to warn about
        }
    }
}
