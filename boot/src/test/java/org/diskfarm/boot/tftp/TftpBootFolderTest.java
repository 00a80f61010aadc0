package org.diskfarm.boot.tftp;

import org.diskfarm.testkit.TestFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Confinement: which names a boot folder serves, and which it refuses with which ERROR code. */
class TftpBootFolderTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 2000);
    private Path root;
    private Path folder;
    private Path outside;
    private BootFolder boot;

    @BeforeEach
    void createFolders() throws IOException {
        root = TestFiles.tempDir("bootfolder-");
        folder = Files.createDirectory(root.resolve("tftp"));
        outside = Files.createDirectory(root.resolve("outside"));
        Files.writeString(folder.resolve("undionly.kpxe"), "ipxe");
        Files.createDirectories(folder.resolve("efi64"));
        Files.writeString(folder.resolve("efi64/ipxe.efi"), "efi");
        Files.writeString(outside.resolve("secret"), "secret");
        boot = BootFolder.of(folder);
    }

    @AfterEach
    void deleteFolders() {
        TestFiles.deleteTree(root);
    }

    @Test
    void plainNameResolvesInsideTheFolder() throws Exception {
        assertThat(boot.resolve("undionly.kpxe")).isEqualTo(folder.toRealPath().resolve("undionly.kpxe"));
        assertThat(content("undionly.kpxe")).isEqualTo("ipxe");
    }

    @Test
    void oneLeadingSlashIsDropped() throws Exception {
        assertThat(content("/undionly.kpxe")).isEqualTo("ipxe");
        assertThat(content("/efi64/ipxe.efi")).isEqualTo("efi");
    }

    @Test
    void backslashesSeparateFolders() throws Exception {
        assertThat(content("efi64\\ipxe.efi")).isEqualTo("efi");
        assertThat(content("\\efi64\\ipxe.efi")).isEqualTo("efi");
    }

    @Test
    void dotDotIsRefusedWherever() {
        for (String name : List.of("..", "../outside/secret", "../../etc/passwd", "efi64/../undionly.kpxe",
                "..\\outside\\secret", "/../outside/secret", "efi64/..")) {
            assertThat(refusal(name).code()).as(name).isEqualTo(TftpErrorCode.ACCESS_VIOLATION);
        }
    }

    @Test
    void aNameStillAbsoluteAfterOneSlashIsRefused() {
        assertThat(refusal("//etc/passwd").code()).isEqualTo(TftpErrorCode.ACCESS_VIOLATION);
        assertThat(refusal("\\\\etc\\passwd").code()).isEqualTo(TftpErrorCode.ACCESS_VIOLATION);
    }

    @Test
    void absoluteSystemPathIsLookedUpInsideTheFolder() {
        // "/etc/passwd" is "etc/passwd" under the folder, which does not exist there
        assertThat(refusal("/etc/passwd").code()).isEqualTo(TftpErrorCode.FILE_NOT_FOUND);
    }

    @Test
    void controlCharactersAreRefused() {
        for (String name : List.of("a\0b", "undionly.kpxe\n", "\tx", "x\u007f")) {
            assertThat(refusal(name).code()).isEqualTo(TftpErrorCode.ACCESS_VIOLATION);
        }
    }

    @Test
    void emptyNameIsRefused() {
        assertThat(refusal("").code()).isEqualTo(TftpErrorCode.ACCESS_VIOLATION);
        assertThat(refusal("/").code()).isEqualTo(TftpErrorCode.ACCESS_VIOLATION);
    }

    @Test
    void symlinkLeavingTheFolderIsRefused() throws IOException {
        Files.createSymbolicLink(folder.resolve("escape"), outside.resolve("secret"));
        TftpRefusal refusal = refusal("escape");
        assertThat(refusal.code()).isEqualTo(TftpErrorCode.ACCESS_VIOLATION);
        assertThat(refusal).hasMessageContaining("outside").hasMessageNotContaining(root.toString());
    }

    @Test
    void symlinkedDirectoryLeavingTheFolderIsRefused() throws IOException {
        Files.createSymbolicLink(folder.resolve("linked"), outside);
        assertThat(refusal("linked/secret").code()).isEqualTo(TftpErrorCode.ACCESS_VIOLATION);
    }

    @Test
    void symlinkToAnAbsolutePathOutsideIsRefused() throws IOException {
        Files.createSymbolicLink(folder.resolve("passwd"), Path.of("/etc/passwd"));
        assertThat(refusal("passwd").code()).isEqualTo(TftpErrorCode.ACCESS_VIOLATION);
    }

    @Test
    void symlinkStayingInsideIsServed() throws Exception {
        Files.createSymbolicLink(folder.resolve("default.efi"), Path.of("efi64/ipxe.efi"));
        assertThat(content("default.efi")).isEqualTo("efi");
    }

    @Test
    void folderTrustedWithItsLinksFollowsThemOut() throws Exception {
        Files.createSymbolicLink(folder.resolve("escape"), outside.resolve("secret"));
        boot = new BootFolder(List.of(BootFolder.Folder.trustingLinks(folder)));
        assertThat(content("escape")).isEqualTo("secret");
        assertThat(refusal("../outside/secret").code()).isEqualTo(TftpErrorCode.ACCESS_VIOLATION);
        assertThat(refusal("//etc/passwd").code()).isEqualTo(TftpErrorCode.ACCESS_VIOLATION);
    }

    @Test
    void debianIpxeFolderNeedsTrustForItsLinkedEfiBinary() throws Exception {
        Path debian = Path.of("/usr/lib/ipxe");
        assumeTrue(Files.isSymbolicLink(debian.resolve("ipxe.efi")), "Debian's ipxe package is not installed");
        assertThat(catchThrowableOfType(TftpRefusal.class, () -> BootFolder.of(debian).open("ipxe.efi", CLIENT))
                .code()).isEqualTo(TftpErrorCode.ACCESS_VIOLATION);
        BootFolder trusted = new BootFolder(List.of(BootFolder.Folder.confined(folder),
                BootFolder.Folder.trustingLinks(debian)));
        try (TftpFile efi = trusted.open("/ipxe.efi", CLIENT).orElseThrow();
                TftpFile kpxe = trusted.open("undionly.kpxe", CLIENT).orElseThrow()) {
            assertThat(efi.size()).isEqualTo(Files.size(debian.resolve("ipxe.efi")));
            assertThat(kpxe.size()).isEqualTo(4);  // the administrator's folder comes first
        }
    }

    @Test
    void missingFileIsNotFound() {
        TftpRefusal refusal = refusal("pxelinux.cfg/01-aa-bb");
        assertThat(refusal.code()).isEqualTo(TftpErrorCode.FILE_NOT_FOUND);
        assertThat(refusal).hasMessageContaining("pxelinux.cfg/01-aa-bb");
    }

    @Test
    void fileUsedAsADirectoryIsNotFound() {
        assertThat(refusal("undionly.kpxe/x").code()).isEqualTo(TftpErrorCode.FILE_NOT_FOUND);
    }

    @Test
    void directoryIsNotFoundAndSaysSo() {
        TftpRefusal refusal = refusal("efi64");
        assertThat(refusal.code()).isEqualTo(TftpErrorCode.FILE_NOT_FOUND);
        assertThat(refusal).hasMessageContaining("is a directory");
    }

    @Test
    void unreadableFileIsAnAccessViolation() throws IOException {
        Path file = Files.writeString(folder.resolve("locked"), "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "running as root: permissions do not stop reads");
        assertThat(catchThrowableOfType(TftpRefusal.class, () -> boot.open("locked", CLIENT)).code())
                .isEqualTo(TftpErrorCode.ACCESS_VIOLATION);
    }

    @Test
    void firstFolderThatHasTheNameWins() throws Exception {
        Path second = Files.createDirectory(root.resolve("second"));
        Files.writeString(second.resolve("undionly.kpxe"), "other");
        Files.writeString(second.resolve("only-second.efi"), "second");
        boot = BootFolder.of(folder, second);
        assertThat(content("undionly.kpxe")).isEqualTo("ipxe");
        assertThat(content("only-second.efi")).isEqualTo("second");
        assertThat(refusal("nowhere").code()).isEqualTo(TftpErrorCode.FILE_NOT_FOUND);
    }

    @Test
    void aDirectoryInTheFirstFolderDoesNotHideAFileInTheSecond() throws Exception {
        Path second = Files.createDirectory(root.resolve("second"));
        Files.writeString(second.resolve("efi64"), "a file");
        boot = BootFolder.of(folder, second);
        assertThat(content("efi64")).isEqualTo("a file");
    }

    @Test
    void folderThatDoesNotExistIsRefusedAtOnce() {
        assertThatThrownBy(() -> BootFolder.of(root.resolve("nope"))).isInstanceOf(UncheckedIOException.class);
        assertThatThrownBy(() -> BootFolder.of(folder.resolve("undionly.kpxe")))
                .isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void openedFileHasItsSizeAndReadsAtPositions() throws Exception {
        try (TftpFile file = boot.open("undionly.kpxe", CLIENT).orElseThrow()) {
            assertThat(file.size()).isEqualTo(4);
            ByteBuffer buf = ByteBuffer.allocate(10);
            assertThat(file.read(buf, 1)).isEqualTo(3);
            assertThat(file.read(ByteBuffer.allocate(1), 4)).isEqualTo(-1);
        }
    }

    private String content(String name) throws Exception {
        try (TftpFile file = boot.open(name, CLIENT).orElseThrow()) {
            ByteBuffer buf = ByteBuffer.allocate((int) file.size());
            file.read(buf, 0);
            return new String(buf.array(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private TftpRefusal refusal(String name) {
        TftpRefusal refusal = catchThrowableOfType(TftpRefusal.class, () -> boot.open(name, CLIENT));
        assertThat(refusal).as("opening %s", name).isNotNull();
        return refusal;
    }
}
