package dev.cairn.cli;

import java.io.PrintStream;
import java.util.List;

/** A text table for people: columns padded to their widest cell, three spaces apart, the last one not padded. */
final class Table {

    private Table() {
    }

    /**
     * Prints {@code rows} (the first is the header).
     *
     * @param rightAligned the index of a column of numbers, aligned right; -1 for none
     */
    static void print(List<String[]> rows, PrintStream out, int rightAligned) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder line = new StringBuilder(128);
        for (String[] r : rows) {
            line.setLength(0);
            for (int i = 0; i < r.length; i++) {
                boolean last = i == r.length - 1;
                int fill = last ? 0 : width[i] - r[i].length();
                if (i == rightAligned) {
                    spaces(line, fill);
                    line.append(r[i]);
                } else {
                    line.append(r[i]);
                    spaces(line, fill);
                }
                if (!last) {
                    spaces(line, 3);
                }
            }
            out.println(line);
        }
    }

    private static void spaces(StringBuilder line, int n) {
        for (int i = 0; i < n; i++) {
            line.append(' ');
        }
    }
}
