package dev.cairn.projection;

import dev.cairn.model.Digest;
import dev.cairn.model.Event;
import dev.cairn.model.Event.BlobLinked;
import dev.cairn.model.Event.BlobUnlinked;
import dev.cairn.model.Event.ManifestDeleted;
import dev.cairn.model.Event.ManifestPut;
import dev.cairn.model.Event.TagDeleted;
import dev.cairn.model.Event.UploadDiscarded;
import dev.cairn.model.Event.UploadStarted;
import dev.cairn.model.ImageId;
import dev.cairn.model.OpenUpload;
import dev.cairn.model.RepositoryBlob;
import dev.cairn.model.RepositoryManifest;
import io.vavr.collection.HashMap;
import io.vavr.collection.Map;
import io.vavr.collection.TreeMap;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The repositories part of the index (a registry served from the store): a pure fold of the
 * {@link Event.RepositoryEvent}s, kept as plain persistent data inside {@link LayerIndex}. Immutable and thread-safe.
 *
 * <p>It holds the open upload sessions, and per repository the blobs and manifests it holds, its tags (in ASCII
 * order) and its referrers; and, across repositories, how many links hold each content digest, so that a blob is
 * removed from {@code <root>/blobs/} only when neither a repository nor an image holds it. A repository exists from
 * its first {@code BlobLinked} or {@code ManifestPut} on, and stays known (with no content) after everything in it is
 * deleted, as a registry answers for a repository it once had. Events that do not fit are ignored.
 */
public final class RegistryTable {

    /** One repository: blobs and manifests by digest text, tags (sorted) to digest text. */
    record Repository(Map<String, RepositoryBlob> blobs, Map<String, RepositoryManifest> manifests, TreeMap<String, String> tags) {
        static final Repository EMPTY = new Repository(HashMap.empty(), HashMap.empty(), TreeMap.empty());
    }

    static final RegistryTable EMPTY = new RegistryTable(HashMap.empty(), HashMap.empty(), HashMap.empty());

    private final Map<String, OpenUpload> uploads;
    private final Map<String, Repository> repositories;
    /** Content digest to the number of blob and manifest links that hold it, over every repository. */
    private final Map<Digest, Integer> holders;

    private RegistryTable(Map<String, OpenUpload> uploads, Map<String, Repository> repositories,
                          Map<Digest, Integer> holders) {
        this.uploads = uploads;
        this.repositories = repositories;
        this.holders = holders;
    }

    RegistryTable fold(Event.RepositoryEvent event, Instant time) {
        String name = event.repository();
        Repository repo = repositories.get(name).getOrElse(Repository.EMPTY);
        if (event instanceof UploadStarted e) {
            return new RegistryTable(uploads.put(e.upload(), new OpenUpload(e.upload(), name, e.algorithm(), time)),
                    repositories, holders);
        }
        if (event instanceof UploadDiscarded e) {
            return new RegistryTable(uploads.remove(e.upload()), repositories, holders);
        }
        if (event instanceof BlobLinked e) {
            Map<String, OpenUpload> u = e.upload() == null ? uploads : uploads.remove(e.upload());
            Map<Digest, Integer> h = holders;
            Optional<RepositoryBlob> old = repo.blobs.get(e.digest()).toJavaOptional();
            if (old.isPresent()) {
                h = release(h, old.get().content());
            }
            Repository r = new Repository(repo.blobs.put(e.digest(), new RepositoryBlob(e.digest(), e.content(), e.size())),
                    repo.manifests, repo.tags);
            return new RegistryTable(u, repositories.put(name, r), hold(h, e.content()));
        }
        if (event instanceof BlobUnlinked e) {
            return repo.blobs.get(e.digest()).map(b -> new RegistryTable(uploads, repositories.put(name,
                    new Repository(repo.blobs.remove(e.digest()), repo.manifests, repo.tags)),
                    release(holders, b.content()))).getOrElse(this);
        }
        if (event instanceof ManifestPut e) {
            Map<Digest, Integer> h = holders;
            Optional<RepositoryManifest> old = repo.manifests.get(e.digest()).toJavaOptional();
            if (old.isPresent()) {
                h = release(h, old.get().content());
            }
            TreeMap<String, String> tags = repo.tags;
            for (String t : e.tags()) {
                tags = tags.put(t, e.digest());
            }
            Repository r = new Repository(repo.blobs, repo.manifests.put(e.digest(), new RepositoryManifest(e.digest(),
                    e.content(), e.mediaType(), e.size(), e.subject(), e.image())), tags);
            return new RegistryTable(uploads, repositories.put(name, r), hold(h, e.content()));
        }
        if (event instanceof ManifestDeleted e) {
            return repo.manifests.get(e.digest()).map(m -> new RegistryTable(uploads, repositories.put(name,
                    new Repository(repo.blobs, repo.manifests.remove(e.digest()),
                            repo.tags.filter(t -> !t._2.equals(e.digest())))),
                    release(holders, m.content()))).getOrElse(this);
        }
        if (event instanceof TagDeleted e) {
            return new RegistryTable(uploads, repositories.put(name,
                    new Repository(repo.blobs, repo.manifests, repo.tags.remove(e.tag()))), holders);
        }
        if (event instanceof Event.Pulled) {
            return this;
        }
        throw new IllegalStateException("unhandled repository event type " + event.type());
    }

    private static Map<Digest, Integer> hold(Map<Digest, Integer> h, Digest d) {
        return h.put(d, h.get(d).getOrElse(0) + 1);
    }

    private static Map<Digest, Integer> release(Map<Digest, Integer> h, Digest d) {
        int n = h.get(d).getOrElse(0);
        return n <= 1 ? h.remove(d) : h.put(d, n - 1);
    }

    /** Whether some repository holds the content as a blob or a manifest. */
    public boolean holds(Digest content) {
        return holders.containsKey(content);
    }

    /**
     * Every content digest a repository holds, once, with its size (a blob link's, or a manifest's as a blob named by
     * its sha256): what {@code verify} checks and what recovery must keep.
     */
    public List<dev.cairn.model.BlobRef> contents() {
        java.util.Map<Digest, dev.cairn.model.BlobRef> out = new java.util.LinkedHashMap<>();
        for (Repository r : repositories.values()) {
            for (RepositoryBlob b : r.blobs.values()) {
                out.putIfAbsent(b.content(), new dev.cairn.model.BlobRef(b.content(), b.size()));
            }
            for (RepositoryManifest m : r.manifests.values()) {
                out.putIfAbsent(m.content(), new dev.cairn.model.BlobRef(m.content(), m.size()));
            }
        }
        return List.copyOf(out.values());
    }

    /** The open upload session, if there is one. */
    public Optional<OpenUpload> upload(String id) {
        return uploads.get(id).toJavaOptional();
    }

    /** Every open upload session. */
    public List<OpenUpload> uploads() {
        return uploads.values().toJavaList();
    }

    /** Whether anything was ever linked or pushed to the repository. */
    public boolean knows(String repository) {
        return repositories.containsKey(repository);
    }

    /** A blob the repository holds. */
    public Optional<RepositoryBlob> blob(String repository, String digest) {
        return repositories.get(repository).flatMap(r -> r.blobs.get(digest)).toJavaOptional();
    }

    /** A blob some repository holds under that digest text, if any does. */
    public Optional<RepositoryBlob> anyBlob(String digest) {
        for (Repository r : repositories.values()) {
            Optional<RepositoryBlob> b = r.blobs.get(digest).toJavaOptional();
            if (b.isPresent()) {
                return b;
            }
        }
        return Optional.empty();
    }

    /** A manifest the repository holds. */
    public Optional<RepositoryManifest> manifest(String repository, String digest) {
        return repositories.get(repository).flatMap(r -> r.manifests.get(digest)).toJavaOptional();
    }

    /** The manifests, in any repository, that became the image. */
    public boolean usesImage(ImageId image) {
        return repositories.values().exists(r -> r.manifests.values().exists(m -> image.equals(m.image())));
    }

    /** The digest a tag points at. */
    public Optional<String> tag(String repository, String tag) {
        return repositories.get(repository).flatMap(r -> r.tags.get(tag)).toJavaOptional();
    }

    /** The tags pointing at a manifest of the repository. */
    public List<String> tagsOf(String repository, String digest) {
        return repositories.get(repository).map(r -> r.tags.filter(t -> t._2.equals(digest)).keySet().toJavaList())
                .getOrElse(List.of());
    }

    /** The repository's tags in ASCII order, after {@code after} (exclusive) if given, at most {@code limit}. */
    public List<String> tags(String repository, Optional<String> after, int limit) {
        List<String> out = new ArrayList<>();
        Repository r = repositories.get(repository).getOrElse(Repository.EMPTY);
        for (String t : after.isPresent() ? r.tags.keySet().filter(t -> t.compareTo(after.get()) > 0)
                : r.tags.keySet()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(t);
        }
        return out;
    }

    /** The manifests of the repository whose subject is {@code subject}, ordered by digest. */
    public List<RepositoryManifest> referrers(String repository, String subject) {
        return repositories.get(repository)
                .map(r -> r.manifests.values().filter(m -> subject.equals(m.subject()))
                        .sortBy(RepositoryManifest::digest).toJavaList())
                .getOrElse(List.of());
    }

    /** Equal when they hold the same uploads, repositories and holder counts (the fold-from-seq-1 check). */
    // --- for index snapshots (IndexSnapshot): the primary state as JSON, the rest rebuilt --------------------------

    /**
     * The open uploads and the repositories (blobs, manifests, tags) as one JSON object; what a snapshot keeps of
     * this table. The holders' counts are derived from them when read ({@link #fromSnapshotJson}).
     */
    com.fasterxml.jackson.databind.node.ObjectNode toSnapshotJson(com.fasterxml.jackson.databind.ObjectMapper json) {
        com.fasterxml.jackson.databind.node.ObjectNode root = json.createObjectNode();
        com.fasterxml.jackson.databind.node.ArrayNode u = root.putArray("uploads");
        uploads.values().toJavaList().stream().sorted(java.util.Comparator.comparing(OpenUpload::id))
                .forEach(up -> u.add(json.valueToTree(up)));
        com.fasterxml.jackson.databind.node.ArrayNode repos = root.putArray("repositories");
        for (String name : repositories.keySet().toSortedSet()) {
            Repository r = repositories.get(name).get();
            com.fasterxml.jackson.databind.node.ObjectNode o = repos.addObject();
            o.put("name", name);
            com.fasterxml.jackson.databind.node.ArrayNode blobs = o.putArray("blobs");
            r.blobs.values().forEach(b -> blobs.add(json.valueToTree(b)));
            com.fasterxml.jackson.databind.node.ArrayNode manifests = o.putArray("manifests");
            r.manifests.values().forEach(m -> manifests.add(json.valueToTree(m)));
            com.fasterxml.jackson.databind.node.ObjectNode tags = o.putObject("tags");
            r.tags.forEach(t -> tags.put(t._1, t._2));
        }
        return root;
    }

    /** The table {@link #toSnapshotJson} wrote, its holders' counts rebuilt as the fold keeps them. */
    static RegistryTable fromSnapshotJson(com.fasterxml.jackson.databind.JsonNode root,
                                          com.fasterxml.jackson.databind.ObjectMapper json) throws java.io.IOException {
        Map<String, OpenUpload> uploads = HashMap.empty();
        for (com.fasterxml.jackson.databind.JsonNode n : required(root, "uploads")) {
            OpenUpload up = json.treeToValue(n, OpenUpload.class);
            uploads = uploads.put(up.id(), up);
        }
        Map<String, Repository> repositories = HashMap.empty();
        Map<Digest, Integer> holders = HashMap.empty();
        for (com.fasterxml.jackson.databind.JsonNode o : required(root, "repositories")) {
            Map<String, RepositoryBlob> blobs = HashMap.empty();
            for (com.fasterxml.jackson.databind.JsonNode n : required(o, "blobs")) {
                RepositoryBlob b = json.treeToValue(n, RepositoryBlob.class);
                blobs = blobs.put(b.digest(), b);
                holders = hold(holders, b.content());
            }
            Map<String, RepositoryManifest> manifests = HashMap.empty();
            for (com.fasterxml.jackson.databind.JsonNode n : required(o, "manifests")) {
                RepositoryManifest m = json.treeToValue(n, RepositoryManifest.class);
                manifests = manifests.put(m.digest(), m);
                holders = hold(holders, m.content());
            }
            TreeMap<String, String> tags = TreeMap.empty();
            for (java.util.Iterator<java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it =
                 required(o, "tags").fields(); it.hasNext(); ) {
                java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> t = it.next();
                tags = tags.put(t.getKey(), t.getValue().asText());
            }
            repositories = repositories.put(required(o, "name").asText(), new Repository(blobs, manifests, tags));
        }
        return new RegistryTable(uploads, repositories, holders);
    }

    private static com.fasterxml.jackson.databind.JsonNode required(com.fasterxml.jackson.databind.JsonNode node,
                                                                   String key) {
        com.fasterxml.jackson.databind.JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("the repositories part lacks '" + key + "'");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegistryTable other && uploads.equals(other.uploads)
                && repositories.equals(other.repositories) && holders.equals(other.holders);
    }

    @Override
    public int hashCode() {
        return repositories.hashCode();
    }
}
