package dev.cairn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What the build writes for shells and {@code man}: from the same model, for every command. */
class ManualPagesTest {

    @TempDir
    Path target;

    @Test
    void everyCommandGetsAManPageAndTheCompletionScriptsAreWhatTheCommandPrints() throws Exception {
        ManualPages.main(new String[] {target.toString()});

        assertThat(target.resolve("completion/cairn.bash"))
                .hasContent(CompletionCommand.script(CompletionCommand.Shell.bash));
        assertThat(target.resolve("completion/_cairn")).content().startsWith("#compdef cairn");
        assertThat(target.resolve("man-adoc/cairn.adoc")).content().contains("= cairn(1)");
        for (String command : Main.model().getSubcommands().keySet()) {
            assertThat(target.resolve("man-adoc/cairn-" + command + ".adoc")).as(command).content()
                    .contains("= cairn-" + command + "(1)").contains("*cairn " + command + "*");
        }
    }
}
