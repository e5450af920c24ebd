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
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                boolean last = i == r.length - 1;
                String fill = last ? "" : " ".repeat(width[i] - r[i].length());
                line.append(i == rightAligned ? fill + r[i] : r[i] + fill);
                if (!last) {
                    line.append("   ");
                }
            }
            out.println(line);
        }
    }
}
