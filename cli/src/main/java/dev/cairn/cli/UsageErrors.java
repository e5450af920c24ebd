package dev.cairn.cli;

import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command line that does not parse, said in one line in the user's words rather than the parser's:
 * <pre>
 * cairn: unknown command 'layrs' (did you mean 'layers'?); see 'cairn --help'
 * cairn: unknown option '--jsn' (did you mean '--json'?); see 'cairn layers --help'
 * cairn: unexpected argument 'x' ('cairn layers' takes no more); see 'cairn layers --help'
 * cairn: --until: 'abc' is not a whole number; see 'cairn replay --help'
 * cairn: missing REF; see 'cairn inspect --help'
 * cairn: no command given: cairn COMMAND [ARGS...]; see 'cairn --help'
 * </pre>
 * Exit status {@value Main#USAGE}. Stateless.
 */
final class UsageErrors {

    /** picocli's "Invalid value for option '--until': 'abc' is not a long" and the like. */
    private static final Pattern NOT_A = Pattern.compile(
            "Invalid value for (?:option '([^']*)'|positional parameter at index \\d+ \\(([^)]*)\\)): (.*)");
    private static final List<String[]> TYPE_WORDS = List.of(
            new String[] {"is not a long", "is not a whole number"},
            new String[] {"is not an int", "is not a whole number"},
            new String[] {"is not a int", "is not a whole number"});

    private UsageErrors() {
    }

    /** The {@link CommandLine.IParameterExceptionHandler}: prints the one line, returns the usage status. */
    static int report(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("cairn: " + plain(e) + "; see '" + cmd.getCommandSpec().qualifiedName() + " --help'");
        err.flush();
        return Main.USAGE;
    }

    /** What went wrong, without "Unmatched argument at index 2" or "is not a long". */
    static String plain(ParameterException e) {
        CommandLine cmd = e.getCommandLine();
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            String more = u.getUnmatched().size() > 1 ? " (and " + (u.getUnmatched().size() - 1) + " more)" : "";
            String suggestion = suggestion(u.getSuggestions());
            if (u.isUnknownOption()) {
                return "unknown option '" + first + "'" + suggestion + more;
            }
            if (!cmd.getSubcommands().isEmpty() && cmd.getCommandSpec().parent() == null) {
                return "unknown command '" + first + "'" + suggestion;
            }
            return "unexpected argument '" + first + "'" + more + " ('" + cmd.getCommandSpec().qualifiedName()
                    + "' takes no more)";
        }
        if (message(e).startsWith("Missing required subcommand")) {
            return "no command given: cairn COMMAND [ARGS...]";
        }
        if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()) {
            return "missing " + String.join(", ", m.getMissing().stream().map(UsageErrors::label).toList());
        }
        String message = message(e);
        Matcher invalid = NOT_A.matcher(message);
        if (invalid.matches()) {
            String what = invalid.group(3);
            for (String[] w : TYPE_WORDS) {
                what = what.replace(w[0], w[1]);
            }
            return (invalid.group(1) != null ? invalid.group(1) : invalid.group(2)) + ": " + what;
        }
        return message.isEmpty() ? "the command line does not parse" : lowerFirst(message);
    }

    private static String message(ParameterException e) {
        return e.getMessage() == null ? "" : e.getMessage().replaceAll("\\R", " ");
    }

    private static String label(ArgSpec a) {
        return a instanceof OptionSpec o ? o.longestName() + " " + o.paramLabel() : a.paramLabel();
    }

    private static String suggestion(List<String> suggestions) {
        if (suggestions.isEmpty()) {
            return "";
        }
        return " (did you mean '" + String.join("' or '", suggestions.subList(0, Math.min(2, suggestions.size())))
                + "'?)";
    }

    private static String lowerFirst(String s) {
        return s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))
                ? Character.toLowerCase(s.charAt(0)) + s.substring(1) : s;
    }
}
