package org.diskfarm.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs libiscsi's conformance suite {@code iscsi-test-cu} (Debian package libiscsi-bin) against an iSCSI LUN, one
 * process per suite ({@code -t SCSI.Read10}): a single {@code -t ALL} run lets the reservation tests disturb each
 * other. Destructive tests are allowed ({@code -d}): point it at a scratch LUN.
 *
 * <p>CUnit counts a test that libiscsi skips ("[SKIPPED] Logical unit is fully provisioned") as passed; this runner
 * tells them apart. A test of the list that a suite's run never reports (the process crashed, hung and was killed,
 * or the target dropped it) is {@link Outcome#NOT_RUN}.
 *
 * <p>Threads: stateless.
 */
public final class IscsiTestCu {
    /** How one test ended. */
    public enum Outcome { PASSED, FAILED, SKIPPED, NOT_RUN }

    /**
     * One test's result.
     *
     * @param name    {@code FAMILY.SUITE.TEST}, e.g. {@code SCSI.Read10.Simple}
     * @param detail  the skip reason or failure message, or "" for a pass
     */
    public record Result(String name, Outcome outcome, String detail) {
    }

    private static final Pattern SUITE = Pattern.compile("^(SCSI|iSCSI)\\.[^.]+$");
    private static final Pattern TEST = Pattern.compile("^  Test: (\\S+) \\.\\.\\.", Pattern.MULTILINE);
    /** CUnit's verdict FAILED, not libiscsi's own "[FAILED] ..." log lines (which CUnit may still count as passed). */
    private static final Pattern VERDICT_FAILED = Pattern.compile("(?<!\\[)FAILED(?!\\])");

    private IscsiTestCu() {
    }

    /** True if iscsi-test-cu is installed. */
    public static boolean available() {
        return ClientProcess.find("iscsi-test-cu") != null;
    }

    /** Every test name the suite knows, {@code FAMILY.SUITE.TEST}, in its order. */
    public static List<String> tests() {
        List<String> tests = new ArrayList<>();
        for (String line : list()) {
            if (line.chars().filter(c -> c == '.').count() == 2 && (line.startsWith("SCSI.")
                    || line.startsWith("iSCSI."))) {
                tests.add(line);
            }
        }
        return tests;
    }

    /** The SCSI.* and iSCSI.* suites, in the order {@code --list} gives them. */
    public static List<String> suites() {
        return list().stream().filter(line -> SUITE.matcher(line).matches()).toList();
    }

    private static List<String> list() {
        ClientProcess.Result listing = ClientProcess.run(List.of("iscsi-test-cu", "--list"), Duration.ofSeconds(30));
        return listing.stdout().lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    /**
     * Runs one suite against {@code url} ({@code iscsi://host:port/iqn/lun}) and returns a result for every test of
     * the suite that {@code tests} lists.
     */
    public static List<Result> run(String suite, String url, List<String> tests, Duration timeout) {
        String output;
        try {
            ClientProcess.Result run = ClientProcess.run(List.of("iscsi-test-cu", "-d", "-v", "-t", suite, url),
                    timeout);
            output = run.stdout() + run.stderr();
        } catch (IllegalStateException e) {
            output = ""; // hung and killed: every test of the suite is NOT_RUN, with the reason
            return tests.stream().filter(t -> t.startsWith(suite + "."))
                    .map(t -> new Result(t, Outcome.NOT_RUN, e.getMessage())).toList();
        }
        Map<String, Result> reported = parse(suite, output);
        List<Result> results = new ArrayList<>();
        for (String test : tests) {
            if (test.startsWith(suite + ".")) {
                results.add(reported.getOrDefault(test, new Result(test, Outcome.NOT_RUN,
                        "not reported by the run (the process ended early?)")));
            }
        }
        return results;
    }

    /** Runs every SCSI.* and iSCSI.* suite against {@code url}, one process each; results by test name, in order. */
    public static Map<String, Result> runAll(String url, Duration perSuite) {
        List<String> tests = tests();
        Map<String, Result> results = new LinkedHashMap<>();
        for (String suite : suites()) {
            for (Result r : run(suite, url, tests, perSuite)) {
                results.put(r.name(), r);
            }
        }
        return results;
    }

    /** The results a suite's output reports, by test name. */
    static Map<String, Result> parse(String suite, String output) {
        Map<String, Result> results = new LinkedHashMap<>();
        Matcher m = TEST.matcher(output);
        List<int[]> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            starts.add(new int[] {m.start(), m.end()});
            names.add(m.group(1));
        }
        int summary = output.indexOf("Run Summary:");
        for (int i = 0; i < names.size(); i++) {
            int from = starts.get(i)[1];
            int to = i + 1 < names.size() ? starts.get(i + 1)[0] : summary >= 0 ? summary : output.length();
            String body = output.substring(from, Math.max(from, to));
            String name = suite + "." + names.get(i);
            Matcher failed = VERDICT_FAILED.matcher(body);
            if (failed.find()) {
                results.put(name, new Result(name, Outcome.FAILED, oneLine(body.contains("[FAILED]")
                        ? body.substring(body.indexOf("[FAILED]")) : body.substring(failed.start()))));
            } else if (body.contains("[SKIPPED]")) {
                results.put(name, new Result(name, Outcome.SKIPPED,
                        oneLine(body.substring(body.indexOf("[SKIPPED]") + 9))));
            } else if (body.contains("passed")) {
                // CUnit counts it passed; a "[FAILED]" libiscsi logged after the verdict (in its clean-up) is kept.
                results.put(name, new Result(name, Outcome.PASSED, body.contains("[FAILED]")
                        ? oneLine(body.substring(body.indexOf("[FAILED]"))) : ""));
            }
        }
        return results;
    }

    private static String oneLine(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= 300 ? flat : flat.substring(0, 300) + "...";
    }
}
