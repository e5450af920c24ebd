package dev.cairn.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DockerReferenceTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "busybox, docker.io/library/busybox:latest, busybox:latest",
        "busybox:1.36, docker.io/library/busybox:1.36, busybox:1.36",
        "library/busybox, docker.io/library/busybox:latest, busybox:latest",
        "example/app:v3, docker.io/example/app:v3, example/app:v3",
        "docker.io/example/app:v3, docker.io/example/app:v3, example/app:v3",
        "index.docker.io/example/app, docker.io/example/app:latest, example/app:latest",
        "example.com:5000/team/app:v1, example.com:5000/team/app:v1, example.com:5000/team/app:v1",
        "localhost/app, localhost/app:latest, localhost/app:latest",
        "quay.io/a/b/c:1.0-rc_1, quay.io/a/b/c:1.0-rc_1, quay.io/a/b/c:1.0-rc_1",
    })
    void normalisesAsDockerDoes(String text, String full, String familiar) {
        DockerReference r = DockerReference.parse(text);
        assertThat(r).hasToString(full);
        assertThat(r.familiar()).isEqualTo(familiar);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Busybox", "busybox@sha256:" + "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0",
            "busybox:", "busybox:-x", "a//b", "-a/b", "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"})
    void refusesWhatIsNotATaggedReference(String text) {
        assertThatThrownBy(() -> DockerReference.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
