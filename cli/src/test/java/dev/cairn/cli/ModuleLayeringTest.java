package dev.cairn.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The module table of DESIGN.md section 1, checked on the compiled classes of every module on this test's classpath
 * (the cli depends on all of them but {@code bench}).
 */
class ModuleLayeringTest {

    private static final List<String> MODULES =
            List.of("model", "io", "journal", "projection", "recovery", "archive", "oci", "store", "registry", "cli");

    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.cairn");
    }

    /** Each module and the modules it may depend on. */
    static Stream<Arguments> moduleTable() {
        return Stream.of(
                Arguments.of("model", List.of()),
                Arguments.of("io", List.of("model")),
                Arguments.of("journal", List.of("model", "io")),
                Arguments.of("projection", List.of("model", "io", "journal")),
                Arguments.of("recovery", List.of("model", "io", "journal", "projection")),
                Arguments.of("archive", List.of("model", "io")),
                Arguments.of("oci", List.of("model", "io")),
                Arguments.of("store", List.of("model", "io", "journal", "projection", "recovery", "archive", "oci")),
                // DESIGN.md: the registry stands on the store (LayerStoreStorage) and the formats.
                Arguments.of("registry", List.of("model", "io", "oci", "store")),
                // the image commands parse references and platforms, and read an image to say what it holds
                Arguments.of("cli", List.of("store", "model", "registry", "oci")));
    }

    @ParameterizedTest(name = "{0} depends only on {1}")
    @MethodSource("moduleTable")
    void moduleDependsOnlyOnTheModulesBelowIt(String module, List<String> allowed) {
        List<String> packages = new ArrayList<>();
        packages.add(pkg(module));
        allowed.forEach(m -> packages.add(pkg(m)));
        classes().that().resideInAPackage(pkg(module))
                .should().onlyDependOnClassesThat(not(resideInAPackage("dev.cairn.."))
                        .or(resideInAnyPackage(packages.toArray(String[]::new))))
                .check(classes);
    }

    @ParameterizedTest(name = "classes of {0} were found")
    @MethodSource("modules")
    void everyModuleIsImported(String module) {
        // Without this the rules above would pass on an empty or partial classpath.
        assertThat(classes.stream().filter(c -> c.getPackageName().startsWith("dev.cairn." + module)))
                .as("production classes in dev.cairn.%s", module).isNotEmpty();
    }

    private static String pkg(String module) {
        return "dev.cairn." + module + "..";
    }

    static Stream<String> modules() {
        return MODULES.stream();
    }

    @Test
    void nothingDependsOnTheCli() {
        noClasses().that().resideOutsideOfPackage("dev.cairn.cli..")
                .should().dependOnClassesThat().resideInAPackage("dev.cairn.cli..")
                .check(classes);
    }

    @Test
    void onlyTheJournalTouchesChronicle() {
        noClasses().that().resideOutsideOfPackage("dev.cairn.journal..")
                .should().dependOnClassesThat().resideInAPackage("net.openhft..")
                .check(classes);
    }

    @Test
    void theCliUsesOnlyThePublicStoreRegistryAndOciApisTheModelPicocliJacksonAndTheJdk() {
        classes().that().resideInAPackage("dev.cairn.cli..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(
                        "dev.cairn.cli..", "dev.cairn.store", "dev.cairn.registry", "dev.cairn.model..", "dev.cairn.oci", "picocli..",
                        "com.fasterxml.jackson.databind..", "com.fasterxml.jackson.core..", "java..", "")
                .check(classes);
    }
}
