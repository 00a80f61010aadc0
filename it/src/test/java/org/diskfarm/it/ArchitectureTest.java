package org.diskfarm.it;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import java.util.Arrays;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The module dependency rules of ARCHITECTURE.md, checked on the compiled main classes of every module on this
 * module's class path (tests are not imported). Each rule names the modules a module may use; every other diskfarm
 * package is forbidden. Rules for modules that do not exist yet (the protocols, cache, boot, farm) are written now
 * with {@code allowEmptyShould(true)}, so that they bite the day their first class arrives.
 */
@AnalyzeClasses(packages = "org.diskfarm", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    /** Every module's package, as ARCHITECTURE.md lists them. */
    private static final String[] MODULES = {"block", "vhd", "cache", "transport", "nbd", "iscsi", "boot", "farm",
            "server", "store", "cli", "testkit", "bench"};

    @ArchTest
    static final ArchRule blockDependsOnNothingOfOurs = onlyUses("block");

    @ArchTest
    static final ArchRule vhdUsesOnlyBlock = onlyUses("vhd", "block");

    @ArchTest
    static final ArchRule storeUsesOnlyBlockAndVhd = onlyUses("store", "block", "vhd");

    @ArchTest
    static final ArchRule cliUsesOnlyBlockVhdAndStore = onlyUses("cli", "block", "vhd", "store");

    /** The Netty server plumbing the protocols share knows no protocol and no block device. */
    @ArchTest
    static final ArchRule transportUsesNothingOfOurs = onlyUses("transport");

    /**
     * Protocol servers see only BlockDevice and the shared server plumbing: they never learn what a vDisk, a cache or
     * a farm is.
     */
    @ArchTest
    static final ArchRule nbdUsesOnlyBlockAndTransport = onlyUses("nbd", "block", "transport").allowEmptyShould(true);

    @ArchTest
    static final ArchRule iscsiUsesOnlyBlockAndTransport = onlyUses("iscsi", "block", "transport")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule cacheUsesOnlyBlockAndVhd = onlyUses("cache", "block", "vhd").allowEmptyShould(true);

    @ArchTest
    static final ArchRule bootUsesNothingOfOurs = onlyUses("boot").allowEmptyShould(true);

    @ArchTest
    static final ArchRule farmUsesOnlyBlockAndVhd = onlyUses("farm", "block", "vhd").allowEmptyShould(true);

    /** The composition root wires everything, including the command line it extends with {@code serve}. */
    @ArchTest
    static final ArchRule serverUsesEverythingButFixtures = onlyUses("server", "block", "vhd", "store", "cache", "nbd",
            "iscsi", "boot", "farm", "cli");

    /** Test fixtures stay out of main code: testkit is a test-scope dependency only. */
    @ArchTest
    static final ArchRule noMainCodeUsesTestkit = noClasses()
            .that().resideOutsideOfPackage("org.diskfarm.testkit..")
            .should().dependOnClassesThat().resideInAPackage("org.diskfarm.testkit..")
            .because("testkit holds test fixtures and is a test-scope dependency only");

    /** A class outside every module's package would escape all the rules above. */
    @ArchTest
    static final ArchRule everyClassBelongsToAModule = classes()
            .should().resideInAnyPackage(Stream.of(MODULES).map(m -> "org.diskfarm." + m + "..")
                    .toArray(String[]::new))
            .because("the dependency rules are written per module package");

    /** Classes of module {@code module} depend on no diskfarm module other than itself and {@code allowed}. */
    private static ArchRule onlyUses(String module, String... allowed) {
        String[] forbidden = Stream.of(MODULES)
                .filter(other -> !other.equals(module) && !Arrays.asList(allowed).contains(other))
                .map(other -> "org.diskfarm." + other + "..")
                .toArray(String[]::new);
        String may = allowed.length == 0 ? "no other diskfarm module" : String.join(", ", allowed);
        return noClasses()
                .that().resideInAPackage("org.diskfarm." + module + "..")
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .because("ARCHITECTURE.md: " + module + " may use " + may);
    }
}
