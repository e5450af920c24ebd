package dev.cairn.oci;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.model.InvalidImageException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Strict reading of image documents, and compact writing of the few Cairn makes. A document is one JSON value and
 * nothing after it; a key twice in one object is refused (two readers could take different ones). Optional fields
 * that are {@code null} count as absent, as the image spec says of configs. Every error names the document and the
 * field path ({@code layers[2].digest}). Stateless and thread-safe.
 */
final class Json {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
            .build();

    private final String document;

    /** @param document names the document in every error, e.g. {@code image manifest sha256:...} */
    Json(String document) {
        this.document = document;
    }

    String document() {
        return document;
    }

    /** Parses bytes that must be one JSON object. */
    ObjectNode object(byte[] bytes) throws InvalidImageException {
        JsonNode node = tree(bytes);
        if (!node.isObject()) {
            throw new InvalidImageException(document, "not a JSON object but " + kind(node));
        }
        return (ObjectNode) node;
    }

    /** Parses bytes that must be one JSON array. */
    List<JsonNode> array(byte[] bytes) throws InvalidImageException {
        JsonNode node = tree(bytes);
        if (!node.isArray()) {
            throw new InvalidImageException(document, "not a JSON array but " + kind(node));
        }
        List<JsonNode> out = new ArrayList<>();
        node.forEach(out::add);
        return out;
    }

    private JsonNode tree(byte[] bytes) throws InvalidImageException {
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InvalidImageException(document, "not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new InvalidImageException(document, "not JSON: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw new InvalidImageException(document, "empty, not JSON");
        }
        return node;
    }

    InvalidImageException invalid(String path, String reason) {
        return new InvalidImageException(document, path + ": " + reason);
    }

    /** The field's value if present and not null. */
    static Optional<JsonNode> field(JsonNode object, String name) {
        JsonNode v = object.get(name);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    }

    String string(JsonNode object, String name, String path) throws InvalidImageException {
        return optString(object, name, path).orElseThrow(() -> invalid(path(path, name), "missing"));
    }

    Optional<String> optString(JsonNode object, String name, String path) throws InvalidImageException {
        Optional<JsonNode> v = field(object, name);
        if (v.isPresent() && !v.get().isTextual()) {
            throw invalid(path(path, name), "want a string, got " + kind(v.get()));
        }
        return v.map(JsonNode::textValue);
    }

    long integer(JsonNode object, String name, String path) throws InvalidImageException {
        JsonNode v = field(object, name).orElseThrow(() -> invalid(path(path, name), "missing"));
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw invalid(path(path, name), "want an integer, got " + kind(v));
        }
        return v.longValue();
    }

    Optional<Boolean> optBoolean(JsonNode object, String name, String path) throws InvalidImageException {
        Optional<JsonNode> v = field(object, name);
        if (v.isPresent() && !v.get().isBoolean()) {
            throw invalid(path(path, name), "want true or false, got " + kind(v.get()));
        }
        return v.map(JsonNode::booleanValue);
    }

    /** An optional object field; absent or null gives empty. */
    Optional<JsonNode> optObject(JsonNode object, String name, String path) throws InvalidImageException {
        Optional<JsonNode> v = field(object, name);
        if (v.isPresent() && !v.get().isObject()) {
            throw invalid(path(path, name), "want an object, got " + kind(v.get()));
        }
        return v;
    }

    JsonNode object(JsonNode object, String name, String path) throws InvalidImageException {
        return optObject(object, name, path).orElseThrow(() -> invalid(path(path, name), "missing"));
    }

    /** A required array field's elements. */
    List<JsonNode> array(JsonNode object, String name, String path) throws InvalidImageException {
        return optArray(object, name, path).orElseThrow(() -> invalid(path(path, name), "missing"));
    }

    Optional<List<JsonNode>> optArray(JsonNode object, String name, String path) throws InvalidImageException {
        Optional<JsonNode> v = field(object, name);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (!v.get().isArray()) {
            throw invalid(path(path, name), "want an array, got " + kind(v.get()));
        }
        List<JsonNode> out = new ArrayList<>();
        v.get().forEach(out::add);
        return Optional.of(out);
    }

    /** An optional array of strings; absent or null gives an empty list. */
    List<String> strings(JsonNode object, String name, String path) throws InvalidImageException {
        List<JsonNode> items = optArray(object, name, path).orElse(List.of());
        List<String> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (!items.get(i).isTextual()) {
                throw invalid(path(path, name) + "[" + i + "]", "want a string, got " + kind(items.get(i)));
            }
            out.add(items.get(i).textValue());
        }
        return List.copyOf(out);
    }

    /** An optional string-to-string map (annotations, labels); absent or null gives an empty map. */
    Map<String, String> stringMap(JsonNode object, String name, String path) throws InvalidImageException {
        Optional<JsonNode> v = optObject(object, name, path);
        if (v.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.get().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw invalid(path(path, name) + "." + e.getKey(), "want a string, got " + kind(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    OciDigest digest(JsonNode object, String name, String path) throws InvalidImageException {
        return parseDigest(string(object, name, path), path(path, name));
    }

    OciDigest parseDigest(String text, String path) throws InvalidImageException {
        try {
            return OciDigest.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid(path, e.getMessage());
        }
    }

    static String path(String parent, String name) {
        return parent.isEmpty() ? name : parent + "." + name;
    }

    static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Compact JSON of a tree, as Cairn writes the documents it makes. */
    static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }
}
