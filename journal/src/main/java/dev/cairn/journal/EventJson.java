package dev.cairn.journal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.Actor;
import dev.cairn.model.Compression;
import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.ImageId;
import dev.cairn.model.JournalRecord;
import dev.cairn.model.LayerId;
import dev.cairn.model.StagingId;

import java.io.IOException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The one JSON mapping of Cairn's model: how events and actors are written in journal records and how the command
 * line prints them. The model carries no Jackson annotations, so the mapping lives here:
 * <ul>
 *   <li>{@link LayerId}, {@link StagingId}, {@link ImageId}: their hex string;
 *   <li>{@link Digest}: {@code "sha256:<hex>"};
 *   <li>{@link Compression}: its label ({@code none}, {@code gzip}, {@code zstd});
 *   <li>{@link Instant}: ISO-8601 text ({@link Instant#toString()});
 *   <li>event records: an object with one key per record component, in declaration order, nulls written as
 *   {@code null}; read back through the canonical constructor. Unknown keys are refused.
 *   <li>{@link Actor}: {@code user}, {@code host}, {@code pid}, {@code principal}, {@code requestId} (nulls written
 *   as {@code null}), then {@code reason} only when there is one — so a record without a reason is byte for byte
 *   what a Cairn from before reasons wrote, and stays readable by it; a key missing when read is null. Unknown keys
 *   are refused.
 * </ul>
 * Reading a journal record's JSON ({@link #readEvent}, {@link #readActor}) tells what a newer Cairn may have written
 * — an event type or a key this code does not know — from what is malformed, with {@link UnknownPartException}.
 * Changing this mapping changes the journal's record format (see docs/JOURNAL.md).
 *
 * <p>Thread-safe: the shared mapper is configured once and never reconfigured; {@link #newMapper()} gives callers a
 * private copy they may configure further.
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = newMapper();

    private static final Map<String, Class<? extends Event>> TYPES_BY_NAME;

    static {
        Map<String, Class<? extends Event>> byName = new LinkedHashMap<>();
        for (Class<? extends Event> type : Event.TYPES) {
            byName.put(type.getSimpleName(), type);
        }
        TYPES_BY_NAME = Collections.unmodifiableMap(byName);
    }

    private EventJson() {
    }

    /** The Jackson module with Cairn's value types; register it in a mapper of your own. */
    public static Module module() {
        SimpleModule module = new SimpleModule("cairn-model");
        addText(module, LayerId.class, LayerId::hex, LayerId::of);
        addText(module, StagingId.class, StagingId::hex, StagingId::of);
        addText(module, ImageId.class, ImageId::hex, ImageId::of);
        addText(module, Digest.class, Digest::toString, Digest::parse);
        addText(module, Compression.class, Compression::label, Compression::ofLabel);
        addText(module, Instant.class, Instant::toString, Instant::parse);
        module.addSerializer(Actor.class, new JsonSerializer<Actor>() {
            @Override
            public void serialize(Actor a, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeStartObject();
                gen.writeStringField("user", a.user());
                gen.writeStringField("host", a.host());
                gen.writeNumberField("pid", a.pid());
                gen.writeStringField("principal", a.principal());
                gen.writeStringField("requestId", a.requestId());
                if (a.client() != null) {
                    gen.writeStringField("client", a.client());
                }
                if (a.reason() != null) {
                    gen.writeStringField("reason", a.reason());
                }
                gen.writeEndObject();
            }
        });
        return module;
    }

    /** A new mapper configured as the journal's; the caller owns it. */
    public static ObjectMapper newMapper() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.registerModule(module());
        mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        mapper.configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, true);
        return mapper;
    }

    /** The event's fields as a JSON object (without its type name; see {@link Event#type()}). */
    public static ObjectNode toJson(Event event) {
        return MAPPER.valueToTree(event);
    }

    /**
     * The actor as a JSON object for people and scripts ({@code cairn log --json}): every key, {@code client} and
     * {@code reason} too ({@code null} when absent), unlike the journal's bytes, which leave out a missing one.
     */
    public static ObjectNode toJson(Actor actor) {
        ObjectNode node = MAPPER.valueToTree(actor);
        if (!node.has("client")) {
            node.putNull("client");
        }
        if (!node.has("reason")) {
            node.putNull("reason");
        }
        return node;
    }

    /**
     * One journal record as one flat JSON object, as {@code cairn log --json} prints it: {@code seq}, {@code time},
     * {@code type}, {@code actor}, then the event's own fields, then {@code prev} and {@code hash}.
     */
    public static ObjectNode toJson(JournalRecord record) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("seq", record.seq());
        node.put("time", record.time().toString());
        node.put("type", record.event().type());
        node.set("actor", toJson(record.actor()));
        node.setAll(toJson(record.event()));
        node.put("prev", record.prev().toString());
        node.put("hash", record.hash().toString());
        return node;
    }

    /** The event class with this type name, or null if there is none. */
    public static Class<? extends Event> typeNamed(String typeName) {
        return TYPES_BY_NAME.get(typeName);
    }

    /**
     * Reads an event of the named type from its JSON fields.
     *
     * @throws IllegalArgumentException if the type is unknown or the fields do not make such an event
     */
    public static Event fromJson(String typeName, JsonNode fields) {
        Class<? extends Event> type = typeNamed(typeName);
        if (type == null) {
            throw new IllegalArgumentException("unknown event type '" + typeName + "' (known: " + TYPES_BY_NAME.keySet() + ")");
        }
        try {
            return MAPPER.treeToValue(fields, type);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not a valid " + typeName + ": " + message(e), e);
        }
    }

    /**
     * The event as a reader of {@code json}, its JSON, will see it. Every event type reads back equal to what was
     * written — ids, digests, strings, numbers and lists of names all round-trip exactly — except
     * {@link Event.FlagsSet}, whose values are free JSON: a {@code Long} 5 reads back as an {@code Integer} 5, a
     * {@code float} as a {@code Double}. For that type the JSON is read; for the others the event is returned as it is.
     */
    static Event asRead(Event event, byte[] json) {
        return event instanceof Event.FlagsSet ? readEvent(event.type(), json) : event;
    }

    static byte[] writeBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads a journal record's event.
     *
     * @throws UnknownPartException     if the type, or a key in the JSON, is unknown to this code
     * @throws IllegalArgumentException if the JSON does not make such an event
     */
    static Event readEvent(String typeName, byte[] json) {
        Class<? extends Event> type = typeNamed(typeName);
        if (type == null) {
            throw new UnknownPartException("event type '" + typeName + "'");
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (UnrecognizedPropertyException e) {
            throw new UnknownPartException("key '" + e.getPropertyName() + "' of a " + typeName);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a valid " + typeName + ": " + message(e), e);
        }
    }

    /**
     * Reads a journal record's actor.
     *
     * @throws UnknownPartException     if a key in the JSON is unknown to this code
     * @throws IllegalArgumentException if the JSON does not make an actor
     */
    static Actor readActor(byte[] json) {
        try {
            return MAPPER.readValue(json, Actor.class);
        } catch (UnrecognizedPropertyException e) {
            throw new UnknownPartException("key '" + e.getPropertyName() + "' of the actor");
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a valid actor: " + message(e), e);
        }
    }

    /**
     * Well-formed JSON with something this code does not know, as a newer Cairn would write it: an event type, or a
     * key of an event or actor. Not damage (see {@link dev.cairn.model.FormatTooNewException}).
     */
    static final class UnknownPartException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String part;

        UnknownPartException(String part) {
            super(part + " is unknown to this Cairn");
            this.part = part;
        }

        /** What is unknown: {@code event type 'X'}, {@code key 'k' of a LayerCreated}. */
        String part() {
            return part;
        }
    }

    private static String message(Exception e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : String.valueOf(e.getMessage());
    }

    private static <T> void addText(SimpleModule module, Class<T> type, Function<T, String> write,
                                    Function<String, T> read) {
        module.addSerializer(type, new JsonSerializer<T>() {
            @Override
            public void serialize(T value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(write.apply(value));
            }
        });
        module.addDeserializer(type, new JsonDeserializer<T>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String text = p.getValueAsString();
                if (text == null) {
                    return ctxt.reportInputMismatch(type, "expected a string for %s", type.getSimpleName());
                }
                try {
                    return read.apply(text);
                } catch (IllegalArgumentException e) {
                    return ctxt.reportInputMismatch(type, "%s", e.getMessage());
                }
            }
        });
    }
}
