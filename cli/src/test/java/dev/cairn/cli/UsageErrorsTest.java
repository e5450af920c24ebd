package dev.cairn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command line that does not parse gets one line in plain words and exit status 2; and the conventions podman
 * users expect of a command line: global options anywhere, {@code version}, {@code help CMD}.
 */
class UsageErrorsTest {

    @TempDir
    Path dir;

    private CairnRun.Result cairn(String... args) {
        return new CairnRun(dir.resolve("store")).cairn(args);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "layrs                 | unknown command 'layrs' (did you mean 'layers'",
            "layers --jsn          | unknown option '--jsn' (did you mean '--json'?); see 'cairn layers --help'",
            "layers extra          | unexpected argument 'extra' ('cairn layers' takes no more)",
            "log --limit abc       | --limit: 'abc' is not a whole number; see 'cairn log --help'",
            "replay --until abc    | --until: 'abc' is neither a record's seq (a whole number) nor an RFC 3339 time",
            "inspect               | missing REF; see 'cairn inspect --help'",
            "replay                | missing --until SEQ",
            "prune --stagings-older-than 3 | '3' is not an age",
            "-                     | no command given: cairn COMMAND [ARGS...]; see 'cairn --help'"})
    void aCommandLineThatDoesNotParseIsOneLineInPlainWords(String args, String says) {
        CairnRun.Result r = cairn(args.equals("-") ? new String[0] : args.split(" "));

        r.usageError(says);
        assertThat(r.err()).doesNotContain("Unmatched argument", "index", "is not a long", "Invalid value");
    }

    @Test
    void rootAndDebugMayStandAnywhereOnTheLine() {
        Path other = dir.resolve("other");
        String id = CairnRun.bare("create", "--root", other.toString(), "--name", "x").ok();

        assertThat(CairnRun.bare("layers", "-q", "--no-trunc", "--root", other.toString()).ok()).isEqualTo(id);
        assertThat(CairnRun.bare("--root", other.toString(), "inspect", "x", "--format", "{{.ID}}").ok())
                .isEqualTo(id);
        CairnRun.Result debug = CairnRun.bare("inspect", "nosuch", "--root", other.toString(), "--debug");
        assertThat(debug.status()).isEqualTo(Main.FAILED);
        assertThat(debug.err()).contains("LayerNotFoundException").contains("cairn: layer not known: nosuch");
    }

    @Test
    void versionIsACommandToo() {
        CairnRun.Result command = cairn("version");
        CairnRun.Result option = cairn("--version");

        assertThat(command.ok()).startsWith("cairn ");
        assertThat(command.out()).isEqualTo(option.out()).contains("Java " + System.getProperty("java.version"));
    }

    @Test
    void helpNamesACommand() {
        CairnRun.Result r = cairn("help", "diff");

        assertThat(r.ok()).startsWith("Usage: cairn diff");
        assertThat(r.out()).contains("-o, --output=FILE").isEqualTo(cairn("diff", "--help").out());
        cairn("help", "nosuch").usageError("nosuch");
    }

    @Test
    void theHelpListsTheNewCommands() {
        String help = cairn("--help").out();

        for (String command : new String[] {"stagings", "df", "prune", "version", "completion", "help"}) {
            assertThat(help).containsPattern("(?m)^  " + command + " ");
        }
    }
}
