package dev.cairn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What is taken for a leftover of Cairn's own, and what never is. */
class PartialOutputTest {

    @TempDir
    Path dir;

    @Test
    void theClaimIsBesideTheTargetAndHiddenByADot() {
        assertThat(PartialOutput.besides(dir.resolve("out.tar"), PartialOutput.FILE_SUFFIX))
                .isEqualTo(dir.resolve(".out.tar.cairn-partial"));
    }

    @Test
    void anUnlockedFileOfThatNameIsALeftoverAndIsReplaced() throws Exception {
        Path p = Files.writeString(dir.resolve(".x.cairn-checkout"), "what a killed run wrote\n");

        try (PartialOutput claim = PartialOutput.claim(p)) {
            assertThat(claim.leftover()).isEqualTo("what a killed run wrote\n");
            assertThat(p).isEmptyFile();
        }
        assertThat(p).doesNotExist();
    }

    @Test
    void aLiveClaimIsRefusedAndKept() throws Exception {
        Path p = dir.resolve(".x.cairn-partial");
        try (PartialOutput live = PartialOutput.claim(p)) {
            live.note("live");

            assertThatThrownBy(() -> PartialOutput.claim(p)).isInstanceOf(FileAlreadyExistsException.class)
                    .hasMessageContaining("another cairn command is writing it");
            assertThat(p).hasContent("live");
        }
    }

    @Test
    void somethingThatIsNotARegularFileIsNeverRemoved() throws Exception {
        Path p = Files.createDirectory(dir.resolve(".x.cairn-partial"));
        Files.writeString(p.resolve("keep"), "mine");

        assertThatThrownBy(() -> PartialOutput.claim(p)).isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("not a file cairn left");
        assertThat(p.resolve("keep")).hasContent("mine");
    }

    @Test
    void aCommittedClaimIsTheTargetAndNothingIsLeftBeside() throws Exception {
        Path target = Files.writeString(dir.resolve("out.tar"), "old");
        try (PartialOutput claim = PartialOutput.claim(PartialOutput.besides(target, PartialOutput.FILE_SUFFIX))) {
            claim.note("new");
            claim.commitTo(target);
        }
        assertThat(target).hasContent("new");
        try (var s = Files.list(dir)) {
            assertThat(s.toList()).isEqualTo(List.of(target));
        }
    }

    @Test
    void diffToAFolderOrIntoAMissingOneIsRefusedAndDashIsStdout() throws Exception {
        CairnRun run = new CairnRun(dir.resolve("store"));
        run.cairn("create", "--name", "empty").ok();
        Path folder = Files.createDirectory(dir.resolve("folder"));

        run.cairn("diff", "empty", "-o", folder.toString()).refused(folder.toString(), "is a directory");
        run.cairn("diff", "empty", "-o", dir.resolve("nosuch/x.tar").toString()).refused("no such folder");
        assertThat(run.cairn("diff", "empty", "-o", "-").out()).hasSize(1024);
        assertThat(folder).isEmptyDirectory();
    }

    @Test
    void aDiffWhileAnotherWritesTheSameFileIsRefused() throws Exception {
        CairnRun run = new CairnRun(dir.resolve("store"));
        run.cairn("create", "--name", "empty").ok();
        Path target = dir.resolve("out.tar");
        try (PartialOutput other = PartialOutput.claim(PartialOutput.besides(target, PartialOutput.FILE_SUFFIX))) {
            run.cairn("diff", "empty", "-o", target.toString()).refused("another cairn command is writing it");
        }
        assertThat(target).doesNotExist();
    }
}
