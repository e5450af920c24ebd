package dev.cairn.registry;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** The external programs tests compare with, found on PATH; tests that need one skip, saying which, without it. */
final class Tools {
    private Tools() {
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
