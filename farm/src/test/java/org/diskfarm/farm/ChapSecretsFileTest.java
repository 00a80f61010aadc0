package org.diskfarm.farm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChapSecretsFileTest {
    private static final MacAddress PC01 = MacAddress.parse("52:54:00:00:00:01");
    private static final MacAddress PC02 = MacAddress.parse("52:54:00:00:00:02");

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("chap-secrets.csv");
    }

    private ChapSecretsFile open(String text) throws IOException {
        Files.writeString(file(), text);
        return ChapSecretsFile.open(file());
    }

    @Test
    void noFileMeansNoTargetNeedsChap() {
        ChapSecretsFile secrets = ChapSecretsFile.open(file());
        assertThat(secrets.forVDisk("win10")).isEmpty();
        assertThat(secrets.forDevice(PC01)).isEmpty();
    }

    @Test
    void aLineByNameOrMacWinsOverTheStarLine() throws IOException {
        ChapSecretsFile secrets = open("""
                target,user,secret,target_user,target_secret
                # every target
                *,lab,lab-secret-123,,
                win10,win-user,win10-secret-12,win10-target,target-secret-9
                52-54-00-00-00-01,pc01,pc01-secret-123,,
                """);
        assertThat(secrets.forVDisk("win10")).contains(new ChapSecret("win-user", "win10-secret-12",
                "win10-target", "target-secret-9"));
        assertThat(secrets.forVDisk("win10").orElseThrow().mutual()).isTrue();
        assertThat(secrets.forDevice(PC01)).contains(new ChapSecret("pc01", "pc01-secret-123", null, null));
        assertThat(secrets.forDevice(PC02)).contains(new ChapSecret("lab", "lab-secret-123", null, null));
        assertThat(secrets.forVDisk("other")).contains(new ChapSecret("lab", "lab-secret-123", null, null));
    }

    @Test
    void editsApplyWithoutARestart() throws IOException {
        ChapSecretsFile secrets = open("target,user,secret,target_user,target_secret\n");
        assertThat(secrets.forVDisk("win10")).isEmpty();
        FileTime before = Files.getLastModifiedTime(file());
        Files.writeString(file(), "target,user,secret,target_user,target_secret\nwin10,u,0123456789ab,,\n");
        Files.setLastModifiedTime(file(), FileTime.fromMillis(before.toMillis() + 2000));
        assertThat(secrets.forVDisk("win10")).contains(new ChapSecret("u", "0123456789ab", null, null));
    }

    @Test
    void badLinesAreRefusedWithFileAndLineAndNeverTheSecret() throws IOException {
        String header = "target,user,secret,target_user,target_secret\n";
        assertRejected("user,secret\n", 1, "the first line must be the header");
        assertRejected(header + "win10,u,short,,\n", 2, "at least 12 characters");
        assertRejected(header + "win10,u,0123456789ab,t,\n", 2, "both target_user and target_secret");
        assertRejected(header + "win10,u,0123456789ab,t,0123456789ab\n", 2, "must differ");
        assertRejected(header + "win10,u,0123456789ab\n", 2, "expected 5 fields");
        assertRejected(header + ",u,0123456789ab,,\n", 2, "the target");
        assertRejected(header + "\nwin10,u,0123456789ab,,\nwin10,v,0123456789ab,,\n", 4, "listed twice");
    }

    private void assertRejected(String text, int line, String part) throws IOException {
        Files.writeString(file(), text);
        assertThatThrownBy(() -> ChapSecretsFile.open(file())).isInstanceOfSatisfying(IllegalArgumentException.class,
                e -> {
                    assertThat(e.getMessage()).startsWith(file() + ":" + line + ": ").contains(part)
                            .doesNotContain("0123456789ab").doesNotContain("\n");
                });
    }
}
