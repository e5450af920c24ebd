package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.Actor;
import dev.cairn.model.JournalRecord;
import dev.cairn.store.RecordJson;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How journal records are printed by {@code cairn log}.
 *
 * <p>JSON ({@code --json}): one compact object per line, as {@link RecordJson} maps it: {@code seq}, {@code time},
 * {@code type}, {@code actor}, the event's own fields ({@code layer} for the layer id where there is one),
 * {@code prev}, {@code hash}.
 *
 * <p>Text: one line per record, fields separated by single spaces:
 * <pre>SEQ TIME USER@HOST[PID] TYPE KEY FIELD=VALUE...</pre>
 * where {@code KEY} is the id the event is about (the layer, else the staging, else the image, else the path, else
 * the repository), an actor acting for a caller reads {@code user@host[pid]{principal=P,request=R,client=C,reason=W}}
 * (those it has), and a value (the reason too) is printed bare when it is a plain word, as JSON otherwise
 * ({@code null} as {@code -}).
 */
final class RecordView {

    private static final List<String> KEYS = List.of("layer", "staging", "image", "path", "repository");
    private static final Set<String> ENVELOPE = Set.of("seq", "time", "type", "actor", "prev", "hash");

    private RecordView() {
    }

    static String jsonLine(JournalRecord r) {
        return RecordJson.toJson(r).toString();
    }

    static String textLine(JournalRecord r) {
        ObjectNode o = RecordJson.toJson(r);
        StringBuilder line = new StringBuilder();
        line.append(r.seq()).append(' ').append(r.time()).append(' ').append(actor(r.actor())).append(' ')
                .append(r.event().type());
        String key = KEYS.stream().filter(k -> o.hasNonNull(k)).findFirst().orElse(null);
        if (key != null) {
            line.append(' ').append(o.get(key).asText());
        }
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            if (ENVELOPE.contains(e.getKey()) || e.getKey().equals(key)) {
                continue;
            }
            line.append(' ').append(e.getKey()).append('=').append(value(e.getValue()));
        }
        return line.toString();
    }

    static String actor(Actor a) {
        StringBuilder s = new StringBuilder(a.user()).append('@').append(a.host()).append('[').append(a.pid())
                .append(']');
        List<String> caller = new java.util.ArrayList<>();
        if (a.principal() != null) {
            caller.add("principal=" + a.principal());
        }
        if (a.requestId() != null) {
            caller.add("request=" + a.requestId());
        }
        if (a.client() != null) {
            caller.add("client=" + a.client());
        }
        if (a.reason() != null) {
            caller.add("reason=" + value(com.fasterxml.jackson.databind.node.TextNode.valueOf(a.reason())));
        }
        if (!caller.isEmpty()) {
            s.append('{').append(String.join(",", caller)).append('}');
        }
        return s.toString();
    }

    private static String value(JsonNode v) {
        if (v.isNull()) {
            return "-";
        }
        if (v.isTextual()) {
            String t = v.asText();
            return t.matches("[\\p{Alnum}._:/@+-]+") && !t.equals("-") ? t : v.toString();
        }
        return v.toString();
    }
}
