package dev.cairn.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformTest {

    @Test
    void parsesOsArchAndAnOptionalVariant() {
        assertThat(Platform.parse("linux/arm64/v8")).isEqualTo(Platform.of("linux", "arm64", "v8"));
        assertThat(Platform.parse("linux/amd64").variant()).isEmpty();
        assertThat(Platform.parse("linux/arm/v7")).hasToString("linux/arm/v7");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "linux", "linux/", "/amd64", "linux/amd64/v1/x", "Linux/AMD64"})
    void refusesWhatIsNotOsSlashArch(String text) {
        assertThatThrownBy(() -> Platform.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OS/ARCH");
    }

    @ParameterizedTest
    @CsvSource({"amd64, amd64", "x86_64, amd64", "aarch64, arm64", "arm, arm", "armv7l, arm", "i686, 386",
            "ppc64le, ppc64le", "s390x, s390x", "riscv64, riscv64"})
    void mapsJvmArchitecturesToGoNames(String jvm, String go) {
        assertThat(Platform.goArch(jvm)).isEqualTo(go);
    }

    @Test
    void theHostIsTheJvmsOsAndArchitecture() {
        Platform host = Platform.host();
        assertThat(host.os()).isEqualTo(Platform.goOs(System.getProperty("os.name")));
        assertThat(host.architecture()).isEqualTo(Platform.goArch(System.getProperty("os.arch")));
    }

    @ParameterizedTest
    @CsvSource({"8, '', v8", "AArch64, '', v8", "7, ARMv7 Processor rev 4, v7", "7, ARMv6-compatible processor, v6",
            "6, '', v6", "5TE, '', v5", "nonsense, '', ''"})
    void readsTheArmVariantFromCpuinfo(String arch, String model, String variant, @TempDir Path dir) throws Exception {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nmodel name\t: " + model + "\nCPU architecture: " + arch + "\n");
        assertThat(Platform.armVariant(cpuinfo)).isEqualTo(variant);
        assertThat(Platform.armVariant(dir.resolve("absent"))).isEmpty();
    }
}
