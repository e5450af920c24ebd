package dev.cairn.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The build's generator of what a shell and {@code man} need, from the command model that parses the command line
 * ({@link Main#model()}), so that both always know every command and option. Usage: {@code ManualPages TARGET};
 * writes
 * <pre>
 * TARGET/completion/cairn.bash   the bash completion script (what 'cairn completion bash' prints)
 * TARGET/completion/_cairn       the zsh one
 * TARGET/man-adoc/*.adoc         one AsciiDoc man page per command (picocli-codegen's ManPageGenerator), which the
 *                                build turns into TARGET/man/man1/*.1 (asciidoctor's manpage backend)
 * </pre>
 * Run by {@code mvn verify} (exec-maven-plugin, cli/pom.xml), never by {@code cairn}: picocli-codegen is a
 * build-time dependency only and is not in {@code target/lib}.
 */
final class ManualPages {

    private ManualPages() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ManualPages TARGET");
            System.exit(Main.USAGE);
        }
        Path target = Path.of(args[0]);
        Path completion = Files.createDirectories(target.resolve("completion"));
        Files.writeString(completion.resolve("cairn.bash"), CompletionCommand.script(CompletionCommand.Shell.bash),
                StandardCharsets.UTF_8);
        Files.writeString(completion.resolve("_cairn"), CompletionCommand.script(CompletionCommand.Shell.zsh),
                StandardCharsets.UTF_8);
        File adoc = Files.createDirectories(target.resolve("man-adoc")).toFile();
        int status = ManPageGenerator.generateManPage(adoc, null, new boolean[0], false,
                specs(Main.model()).toArray(CommandSpec[]::new));
        if (status != 0) {
            System.err.println("cairn: the man page generator failed with status " + status);
            System.exit(Main.FAILED);
        }
    }

    /** The command and all its subcommands, depth first. */
    private static List<CommandSpec> specs(CommandLine cmd) {
        List<CommandSpec> all = new ArrayList<>();
        all.add(cmd.getCommandSpec());
        for (CommandLine sub : cmd.getSubcommands().values()) {
            if (!sub.getCommandSpec().usageMessage().hidden()) {
                all.addAll(specs(sub));
            }
        }
        return all;
    }
}
