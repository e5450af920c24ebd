package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.model.LayerId;
import dev.cairn.store.TestImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn image import|inspect|export|delete} and {@code cairn images}, run in this process against a fresh store:
 * what they print, their exit codes and their one error line; and the image-use check of {@code cairn delete}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImageCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Result(int status, String out, String err) {
        String line() {
            return out.strip();
        }
    }

    private Result cairn(String... args) {
        return cairnAt(dir.resolve("store"), args);
    }

    private Result cairnAt(Path root, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        int status = Main.run(all.toArray(String[]::new), InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private TestImage.Written layout(String name, String tag, long... seeds) throws IOException {
        List<byte[]> tars = new ArrayList<>();
        for (long s : seeds) {
            tars.add(TestImage.plainTar(s, 5));
        }
        return TestImage.oci(dir.resolve(name), tag, tars, true, "{\"Labels\":{\"t\":\"" + tag + "\"}}");
    }

    @Test
    void importPrintsTheImageIdAndImagesAndInspectShowItWithTheKeysOfTheContract() throws IOException {
        TestImage.Written w = layout("layout", "v1", 1, 2);

        Result imported = cairn("image", "import", w.reference(), "--name", "example/app:v1", "--name", "app:latest");

        assertThat(imported.status()).as(imported.err()).isZero();
        assertThat(imported.line()).isEqualTo(w.config().hex());
        assertThat(imported.err()).isEmpty();
        JsonNode list = JSON.readTree(cairn("images", "--json").out());
        assertThat(list).hasSize(1);
        JsonNode image = JSON.readTree(cairn("image", "inspect", "app:latest", "--json").out());
        assertThat(list.get(0)).isEqualTo(image);
        List<String> keys = new ArrayList<>();
        image.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("id", "names", "digest", "configDigest", "topLayer", "layers", "created",
                "size");
        List<LayerId> ids = TestImage.storageIds(w.diffIds());
        assertThat(image.get("digest").asText()).isEqualTo(w.manifest().toString());
        assertThat(image.get("configDigest").asText()).isEqualTo(w.config().toString());
        assertThat(image.get("topLayer").asText()).isEqualTo(ids.get(1).hex());
        assertThat(image.get("layers").get(0).asText()).isEqualTo(ids.get(0).hex());
        assertThat(image.get("names").toString()).isEqualTo("[\"example/app:v1\",\"app:latest\"]");
        String table = cairn("images").out();
        assertThat(table).startsWith("ID").contains(w.config().hex().substring(0, 12))
                .contains("example/app:v1, app:latest");
        assertThat(cairn("image", "inspect", w.config().hex().substring(0, 6)).out())
                .contains("configDigest: " + w.config());
        JsonNode layer = JSON.readTree(cairn("inspect", ids.get(1).hex(), "--json").out());
        assertThat(layer.get("chainId").asText()).startsWith("sha256:");
    }

    @Test
    void imagesTakesTheListingOptionsOfLayers() throws IOException {
        TestImage.Written w = layout("layout", "v1", 1, 2);
        assertThat(cairn("image", "import", w.reference(), "--name", "app:v1").status()).isZero();
        String id = w.config().hex();

        assertThat(cairn("images", "-q").out()).isEqualTo(id.substring(0, 12) + "\n");
        assertThat(cairn("images", "-q", "--no-trunc").out()).isEqualTo(id + "\n");
        assertThat(cairn("images", "--no-trunc").out()).contains(id);
        assertThat(cairn("images", "--format", "{{.ID}} {{.Names}} {{.Layers}} {{.Digest}}").out())
                .isEqualTo(id.substring(0, 12) + " app:v1 2 " + w.manifest() + "\n");
        assertThat(JSON.readTree(cairn("images", "--format", "json").out())).hasSize(1);
        Result both = cairn("images", "-q", "--json");
        assertThat(both.status()).isEqualTo(Main.USAGE);
        assertThat(both.err()).contains("-q cannot be combined with --format or --json");
        assertThat(cairn("images", "--format", "{{.Nope}}").status()).isEqualTo(Main.USAGE);
    }

    @Test
    void importingAgainSaysTheImageExistsAndWhichNamesItGot() throws IOException {
        TestImage.Written w = layout("layout", "v1", 1);
        cairn("image", "import", w.reference(), "--name", "a");

        Result again = cairn("image", "import", w.reference(), "--name", "b");

        assertThat(again.status()).isZero();
        assertThat(again.line()).isEqualTo(w.config().hex());
        assertThat(again.err()).isEqualTo("cairn: image " + w.config().hex() + " exists already; kept, with the names "
                + "added: b\n");
    }

    @Test
    void aLayerAnImageUsesIsNotDeletedTheErrorNamesTheImageAndAfterTheImageIsDeletedItCanBe() throws IOException {
        TestImage.Written w = layout("layout", "v1", 1);
        cairn("image", "import", w.reference(), "--name", "app:v1");
        String layer = TestImage.storageIds(w.diffIds()).get(0).hex();

        Result refused = cairn("delete", layer);

        assertThat(refused.status()).isEqualTo(Main.FAILED);
        assertThat(refused.err()).isEqualTo("cairn: layer " + layer + " is used by image " + w.config().hex()
                + " (app:v1): delete the image first\n");
        assertThat(cairn("image", "delete", "app:v1").status()).isZero();
        assertThat(JSON.readTree(cairn("images", "--json").out())).isEmpty();
        assertThat(cairn("layers", "--json").out()).as("its layers stay").contains(layer);
        assertThat(cairn("delete", layer).status()).isZero();
    }

    @Test
    void exportWritesTheImageWithItsDigestsAndPrintsNothing() throws IOException {
        TestImage.Written w = layout("layout", "v1", 1, 2);
        cairn("image", "import", w.reference(), "--name", "app:v1");
        Path out = dir.resolve("out");

        Result exported = cairn("image", "export", "app:v1", "oci:" + out + ":v2");

        assertThat(exported.status()).as(exported.err()).isZero();
        assertThat(exported.out()).isEmpty();
        assertThat(out.resolve("blobs/sha256/" + w.manifest().hex())).hasBinaryContent(w.manifestBytes());
        for (var b : w.blobs()) {
            assertThat(Files.exists(out.resolve("blobs/sha256/" + b.hex()))).isTrue();
        }
        Path archive = dir.resolve("app.tar");
        assertThat(cairn("image", "export", "app:v1", "docker-archive:" + archive + ":app:v1").status()).isZero();
        Result back = cairnAt(dir.resolve("other"), "image", "import", "docker-archive:" + archive);
        assertThat(back.line()).isEqualTo(w.config().hex());
        JsonNode image = JSON.readTree(cairnAt(dir.resolve("other"), "images", "--json").out());
        assertThat(image.get(0).get("names").toString()).as("a docker-archive's RepoTags name it")
                .isEqualTo("[\"docker.io/library/app:v1\"]");
    }

    @Test
    void badInputIsOneErrorLineNamingItAndChangesNothing() throws IOException {
        TestImage.Written w = layout("layout", "v1", 1);
        cairn("image", "import", w.reference());

        Result noLayout = cairn("image", "import", "oci:" + dir.resolve("nowhere"));
        Result noTag = cairn("image", "import", "oci:" + w.dir() + ":v9");
        Result badRef = cairn("image", "import", "tarball:" + w.dir());
        Result noImage = cairn("image", "inspect", "nosuch");
        Result badPlatform = cairn("image", "import", w.reference(), "--platform", "linux");
        Result toPosition = cairn("image", "export", w.config().hex(), "oci:" + dir.resolve("x") + ":@0");
        Result noSubcommand = cairn("image");

        for (Result r : List.of(noLayout, noTag, badRef, noImage, badPlatform, toPosition)) {
            assertThat(r.status()).as(r.err()).isEqualTo(Main.FAILED);
            assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
            assertThat(r.out()).isEmpty();
        }
        assertThat(noLayout.err()).contains(dir.resolve("nowhere").toString());
        assertThat(noTag.err()).contains("v9");
        assertThat(badRef.err()).contains("tarball");
        assertThat(noImage.err()).contains("nosuch");
        assertThat(noSubcommand.status()).isEqualTo(Main.USAGE);
        assertThat(JSON.readTree(cairn("images", "--json").out())).hasSize(1);
        assertThat(Files.exists(dir.resolve("x"))).isFalse();
    }

    @Test
    void logShowsTheImageEventsKeyedByTheImage() throws IOException {
        TestImage.Written w = layout("layout", "v1", 1);
        cairn("image", "import", w.reference(), "--name", "app:v1");

        String log = cairn("log").out();

        assertThat(log).containsPattern("ImageCreated " + w.config().hex() + " ")
                .containsPattern("ImageCommitted " + w.config().hex() + " names=\\[\"app:v1\"\\]");
    }

    @Test
    void logImageIsTheLifeOfOneImageAndReplayImagesTheImagesAsTheyWere() throws IOException {
        TestImage.Written w = layout("layout", "v1", 1);
        cairn("image", "import", w.reference(), "--name", "app:v1");
        long beforeDelete = JSON.readTree(lastLine(cairn("log", "--json").out())).get("seq").asLong();
        cairn("image", "delete", "app:v1");

        String life = cairn("log", "--image", "app:v1").out();
        JsonNode asOf = JSON.readTree(cairn("replay", "--until", Long.toString(beforeDelete), "--images", "--json").out());

        assertThat(life.lines().map(l -> java.util.Arrays.stream(l.split(" +"))
                .filter(t -> t.startsWith("Image")).findFirst().orElse(l)).toList()).as("a deleted image, named by a name it had")
                .containsExactly("ImageCreated", "ImageCommitted", "ImageDeleteStarted", "ImageDeleted");
        assertThat(asOf).hasSize(1);
        assertThat(asOf.get(0).get("id").asText()).isEqualTo(w.config().hex());
        assertThat(JSON.readTree(cairn("replay", "--until", Long.toString(beforeDelete + 1), "--images", "--json")
                .out())).isEmpty();
        assertThat(cairn("log", "--image", "app:v1", "--layer", "x").status()).isEqualTo(Main.USAGE);
    }

    @Test
    void historyTellsADeletedImagesLifeAndReplayFromToNamesTheImagesThatCameAndWent() throws IOException {
        TestImage.Written w = layout("layout", "v1", 1);
        cairn("image", "import", w.reference(), "--name", "app:v1");
        long imported = JSON.readTree(lastLine(cairn("log", "--json").out())).get("seq").asLong();
        cairn("image", "delete", "app:v1");
        long deleted = JSON.readTree(lastLine(cairn("log", "--json").out())).get("seq").asLong();

        List<String> life = cairn("history", "app:v1").out().lines().toList();
        JsonNode came = JSON.readTree(cairn("replay", "--from", "0", "--to", Long.toString(imported), "--json").out());
        JsonNode went = JSON.readTree(cairn("replay", "--from", Long.toString(imported), "--to",
                Long.toString(deleted), "--json").out());

        assertThat(life).as("no layer was ever named app:v1: the image's life").hasSize(4);
        assertThat(life.get(0)).contains(": began importing image " + w.config().hex() + ": manifest sha256:")
                .endsWith(", 1 layer");
        assertThat(life.get(1)).endsWith(": committed image " + w.config().hex() + ", names app:v1");
        assertThat(life.get(3)).endsWith(": deleted image " + w.config().hex());
        assertThat(cairn("history", "--image", w.config().hex()).out().lines().toList()).isEqualTo(life);
        assertThat(came.get("imagesAdded")).singleElement()
                .satisfies(i -> assertThat(i.get("id").asText()).isEqualTo(w.config().hex()));
        assertThat(came.get("layersAdded")).hasSize(1);
        assertThat(went.get("imagesRemoved")).singleElement()
                .satisfies(i -> assertThat(i.get("names").get(0).asText()).isEqualTo("app:v1"));
        assertThat(went.get("layersRemoved")).as("its layer stays").isEmpty();
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().toList();
        return lines.get(lines.size() - 1);
    }
}
