package dev.cairn.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code cairn} command (DESIGN.md section 8): global options, the subcommands, and the one place where
 * exceptions become exit codes.
 *
 * <p>Exit status: {@value #OK} on success; {@value #FAILED} on any error, with exactly one line
 * {@code cairn: <message>} on stderr (and the stack trace only with {@code --debug}); {@value #USAGE} on a usage
 * error. Standard output carries nothing but the command's result, so scripts can parse it.
 *
 * <p>Not thread-safe: one instance runs one command line.
 */
@Command(name = "cairn", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "A crash-safe, event-sourced store of container-image layers.",
        footer = {"", "A layer (REF) is named by its id, a unique prefix of it (4 or more hex characters, as 'cairn "
                + "layers' prints them; sha256: allowed) or one of its names.",
                "--root and --debug may stand anywhere on the line. Shell completion: source <(cairn completion bash).",
                "Exit status: 0 success, 1 error (one line on stderr), 2 usage error.",
                "Default root: $CAIRN_ROOT, else $XDG_DATA_HOME/cairn, else ~/.local/share/cairn."})
public final class Main {

    static {
        // picocli's default factory looks for Groovy's Closure class when it is first used, a class no jar here
        // has: the class loader opened every one of the ~45 jars of the class path to find it not there, ~0.05 s of
        // every command's start. Cairn's annotations hold no closures.
        System.setProperty("picocli.disable.closures", "true");
    }

    /**
     * Every subcommand by name, in the order {@code --help} lists them. A command line that names one of them gets
     * only that one registered: picocli builds a command's model by reflection over its annotations, and building
     * all of them took ~0.1 s of every command's start (picocli's classes predate class-data sharing, so none of
     * that is archived). Help, no command and a misspelt one (for the suggestions) get a {@link #listing} of each.
     */
    static final Map<String, Class<?>> COMMANDS = commands(
            "import", ImportCommand.class, "stage", StageCommand.class, "apply", ApplyCommand.class,
            "cleanup", CleanupCommand.class, "create", CreateCommand.class, "layers", LayersCommand.class,
            "inspect", InspectCommand.class, "diff", DiffCommand.class, "checkout", CheckoutCommand.class,
            "changes", ChangesCommand.class, "delete", DeleteCommand.class, "names", NamesCommand.class,
            "images", ImagesCommand.class, "image", ImageCommand.class, "log", LogCommand.class,
            "history", HistoryCommand.class, "replay", ReplayCommand.class, "verify", VerifyCommand.class,
            "archive", ArchiveCommand.class, "recover", RecoverCommand.class,
            "repair", RepairCommand.class, "checkpoint", CheckpointCommand.class, "prove", ProveCommand.class,
            "serve", ServeCommand.class, "stagings", StagingsCommand.class, "df", DfCommand.class,
            "prune", PruneCommand.class, "version", VersionCommand.class, "completion", CompletionCommand.class,
            "help", CommandLine.HelpCommand.class);

    /** Options of {@code cairn} itself that take a value, so that the value is not taken for a command's name. */
    private static final java.util.Set<String> GLOBAL_OPTIONS_WITH_VALUE = java.util.Set.of("--root");

    /** Exit status of a command that did what was asked. */
    public static final int OK = 0;
    /** Exit status of a command that failed; one line on stderr says why. */
    public static final int FAILED = 1;
    /** Exit status of a command line that does not parse (picocli's default). */
    public static final int USAGE = 2;

    // Global options: INHERIT puts them on every subcommand too, bound to these fields, so that they may stand
    // anywhere on the line (cairn layers --root X), as podman's do.
    @Option(names = "--root", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "The store's root folder (default: $CAIRN_ROOT, else $XDG_DATA_HOME/cairn, "
                    + "else ~/.local/share/cairn).")
    private Path root;

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the stack trace of an error.")
    private boolean debug;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    /** The process's own stdout, set by {@link #main}: the only output stream that can be a terminal. */
    private static volatile PrintStream processStdout;

    private Main(InputStream in, PrintStream out, PrintStream err, boolean terminal) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        processStdout = out;
        Interruption.install(err);
        int status = run(args, System.in, out, err, stderrIsTerminal());
        out.flush();
        err.flush();
        System.exit(status);
    }

    /** Runs one command line in this process with the given streams, no stdin and no progress display. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, InputStream.nullInputStream(), out, err, false);
    }

    /**
     * Runs one command line in this process.
     *
     * @param in       what {@code -} reads (stdin)
     * @param terminal whether stderr is a terminal, so that {@code import} and {@code stage} show progress
     * @return the exit status
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, boolean terminal) {
        Main main = new Main(in, out, err, terminal);
        CommandLine cmd = new CommandLine(main);
        Class<?> named = COMMANDS.get(commandName(args));
        boolean versionOnly = versionOnly(args);
        for (Map.Entry<String, Class<?>> c : COMMANDS.entrySet()) {
            // help CMD prints CMD's whole usage, so it gets every command's model
            if (named == c.getValue() || named == CommandLine.HelpCommand.class) {
                cmd.addSubcommand(c.getKey(), c.getValue());
            } else if (named == null && !versionOnly) {
                cmd.addSubcommand(c.getKey(), new CommandLine(listing(c.getKey(), c.getValue())));
            }
        }
        cmd.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cmd.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cmd.setParameterExceptionHandler(UsageErrors::report);
        cmd.setExecutionExceptionHandler((e, c, parsed) -> main.failure(e));
        int status = cmd.execute(args);
        out.flush();
        return status;
    }

    /**
     * The whole command model, every subcommand registered: what a command line is parsed with, and what shell
     * completion and the man pages are generated from.
     */
    static CommandLine commandLine(Main main) {
        CommandLine cmd = new CommandLine(main);
        COMMANDS.forEach(cmd::addSubcommand);
        return cmd;
    }

    /** The model with a {@code Main} that has no streams, for generating completion scripts and man pages. */
    static CommandLine model() {
        return commandLine(new Main(InputStream.nullInputStream(), new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()), false));
    }

    /**
     * The command a command line names: its first word that is neither an option nor the value of one of
     * {@code cairn}'s own options; null if there is none.
     */
    static String commandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (GLOBAL_OPTIONS_WITH_VALUE.contains(a)) {
                i++;
            } else if (a.equals("--")) {
                return i + 1 < args.length ? args[i + 1] : null;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    /**
     * Whether a command line asks only for the version ({@code --version}, {@code -V}): no command and no help, so
     * that it needs no command's listing (building them took a third of {@code cairn --version}).
     */
    static boolean versionOnly(String[] args) {
        boolean version = false;
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            } else if (a.equals("--version") || a.equals("-V")) {
                version = true;
            } else if (a.equals("--help") || !a.startsWith("--") && a.startsWith("-") && a.indexOf('h') > 0) {
                return false;
            }
        }
        return version && commandName(args) == null;
    }

    /**
     * A command as {@code cairn --help} lists it and a misspelt command is matched against it: its name and
     * description, read from its {@code @Command}, without the model of its options that picocli builds by
     * reflection (that model, for all of them, was half of {@code --help}'s time). Never executed: a command line
     * that names a command gets the command itself.
     */
    private static CommandLine.Model.CommandSpec listing(String name, Class<?> type) {
        CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create().name(name);
        Command command = type.getAnnotation(Command.class);
        // the list shows a command's header if it has one (picocli's help command has), else its first description line
        spec.usageMessage().header(command.header()).description(command.description());
        return spec;
    }

    /**
     * Name and class pairs. The names are spelt out rather than read from each class's {@code @Command}, so that a
     * command line naming one command reads no other command's annotations (MainTest checks that they agree).
     */
    private static Map<String, Class<?>> commands(Object... nameClassPairs) {
        Map<String, Class<?>> byName = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nameClassPairs.length; i += 2) {
            byName.put((String) nameClassPairs[i], (Class<?>) nameClassPairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(byName);
    }

    /** The store root this command line names, or the default one. */
    Path root() {
        return root != null ? root : defaultRoot(System.getenv(), System.getProperty("user.home"));
    }

    /** DESIGN.md section 6: {@code $CAIRN_ROOT}, else {@code $XDG_DATA_HOME/cairn}, else {@code ~/.local/share/cairn}. */
    static Path defaultRoot(Map<String, String> env, String home) {
        String explicit = env.get("CAIRN_ROOT");
        if (explicit != null && !explicit.isEmpty()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isEmpty()) {
            return Path.of(xdg, "cairn");
        }
        return Path.of(home, ".local", "share", "cairn");
    }

    InputStream stdin() {
        return in;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** Whether progress may be drawn on stderr. */
    boolean terminal() {
        return terminal;
    }

    private int failure(Exception e) {
        Throwable t = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        if (debug) {
            t.printStackTrace(err);
        }
        if (t instanceof Interruption.Stopped || Interruption.stopping()) {
            return FAILED; // a consequence of the stop (an input closed under a read): the shutdown hook says so
        }
        err.println("cairn: " + rootNamed(t, message(t)));
        return FAILED;
    }

    /** A message about the store's root itself says that it is the root (--root) that is wrong. */
    private String rootNamed(Throwable t, String text) {
        if (t instanceof java.nio.file.FileSystemException f && f.getFile() != null
                && Path.of(f.getFile()).toAbsolutePath().normalize().equals(root().toAbsolutePath().normalize())) {
            if (t instanceof NotDirectoryException || t instanceof FileAlreadyExistsException) {
                return "the store root " + f.getFile() + " is a file, not a folder (--root names the store's folder)";
            }
            return "the store root: " + text;
        }
        return text;
    }

    /** One line that says what went wrong, without the stack trace. */
    static String message(Throwable t) {
        String m = t.getMessage();
        String text;
        if (t instanceof dev.cairn.model.JournalCorruptedException j) {
            text = "the journal is damaged at " + (j.seq() > 0 ? "record " + j.seq() : "one of its files") + ": "
                    + j.reason() + "; 'cairn verify' summarizes it, 'cairn repair' cuts the journal back to its last "
                    + "good record (keeping the damaged one)";
        } else if (t instanceof NoSuchFileException n) {
            text = n.getReason() != null ? m : "no such file or directory: " + m;
        } else if (t instanceof AccessDeniedException a) {
            text = "permission denied: " + a.getFile() + (a.getReason() == null ? "" : " (" + a.getReason() + ")");
        } else if (t instanceof FileAlreadyExistsException) {
            text = "already exists: " + m;
        } else if (t instanceof NotDirectoryException) {
            text = "not a directory: " + m;
        } else if (t instanceof java.io.IOException || t instanceof IllegalArgumentException) {
            text = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
        } else {
            // A bug, not a refused request: say what it was so that it can be reported.
            text = "internal error: " + t.getClass().getName() + (m == null ? "" : ": " + m)
                    + " (run with --debug for the stack trace)";
        }
        return text.replaceAll("\\R", " ");
    }

    /** Whether {@link #out()} is this process's stdout and that is a terminal (where binary output must not go). */
    boolean stdoutIsTerminal() {
        return out == processStdout && isTerminal(1);
    }

    /** Whether stdin is this process's and a terminal: {@code import -} then says what it waits for. */
    boolean stdinIsTerminal() {
        return in == System.in && isTerminal(0);
    }

    private static boolean stderrIsTerminal() {
        return isTerminal(2);
    }

    /**
     * Whether this process's file descriptor {@code fd} is a terminal. On Linux the answer is exact (what
     * {@code /proc/self/fd/N} points at); elsewhere the JDK's console test, which needs stdin and stdout to be
     * terminals, is the fallback.
     */
    private static boolean isTerminal(int fd) {
        Path link = Path.of("/proc/self/fd/" + fd);
        try {
            if (Files.isSymbolicLink(link)) {
                String target = Files.readSymbolicLink(link).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            // fall through to the portable test
        }
        return System.console() != null;
    }

    /** The version from the jar's manifest, written by the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"cairn " + (v == null ? "(development build)" : v),
                    "Java ${java.version} (${java.vendor}), ${os.name} ${os.arch}"};
        }
    }
}
