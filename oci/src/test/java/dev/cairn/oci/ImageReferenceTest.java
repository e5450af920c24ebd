package dev.cairn.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

    @Test
    void ociTakesADirectoryAndAnOptionalTag() {
        assertThat(ImageReference.parse("oci:/tmp/img")).isEqualTo(
                new ImageReference.Oci(Path.of("/tmp/img"), Optional.empty(), OptionalInt.empty()));
        assertThat(ImageReference.parse("oci:/tmp/img:v1.0")).isEqualTo(
                new ImageReference.Oci(Path.of("/tmp/img"), Optional.of("v1.0"), OptionalInt.empty()));
        assertThat(ImageReference.parse("oci:rel/dir:@2")).isEqualTo(
                new ImageReference.Oci(Path.of("rel/dir"), Optional.empty(), OptionalInt.of(2)));
        assertThat(ImageReference.parse("oci:/tmp/img:")).isEqualTo(ImageReference.parse("oci:/tmp/img"));
    }

    @Test
    void thePathEndsAtTheFirstColonAsInSkopeo() {
        ImageReference.Oci r = (ImageReference.Oci) ImageReference.parse("oci:/a:b:c");
        assertThat(r.path()).isEqualTo(Path.of("/a"));
        assertThat(r.tag()).contains("b:c");
        ImageReference.DockerArchive d = (ImageReference.DockerArchive) ImageReference.parse(
                "docker-archive:/x/app.tar:example.com:5000/app:v2");
        assertThat(d.path()).isEqualTo(Path.of("/x/app.tar"));
        assertThat(d.ref()).map(DockerReference::toString).contains("example.com:5000/app:v2");
    }

    @Test
    void dockerArchiveTakesAFileAndAnOptionalNormalisedReference() {
        ImageReference.DockerArchive d = (ImageReference.DockerArchive) ImageReference.parse("docker-archive:a.tar:app");
        assertThat(d.ref()).map(DockerReference::toString).contains("docker.io/library/app:latest");
        assertThat(d).hasToString("docker-archive:a.tar:app:latest");
        assertThat(((ImageReference.DockerArchive) ImageReference.parse("docker-archive:a.tar:@0")).sourceIndex())
                .hasValue(0);
        assertThat(ImageReference.parse("docker-archive:a.tar").transport()).isEqualTo("docker-archive");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/tmp/img", "oci:", "oci::tag", "dir:/x", "docker://busybox", "oci:/x:bad tag",
            "oci:/x:@-1", "oci:/x:@one", "docker-archive:a.tar:Bad", "docker-archive:a.tar:app@sha256:00"})
    void refusesWhatItCannotRead(String text) {
        assertThatThrownBy(() -> ImageReference.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("\n");
    }

    @Test
    void onlyReadingMayNameAnImageByPosition() {
        ImageReference.parse("oci:/x:v1").checkDestination();
        ImageReference.parse("docker-archive:/x.tar").checkDestination();
        assertThatThrownBy(() -> ImageReference.parse("oci:/x:@0").checkDestination())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("by position");
        assertThatThrownBy(() -> ImageReference.parse("docker-archive:/x.tar:@1").checkDestination())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
