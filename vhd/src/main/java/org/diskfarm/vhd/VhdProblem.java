package org.diskfarm.vhd;

/**
 * One thing {@code vdisk verify} found wrong with a VHD file.
 *
 * @param severity ERROR makes the file unusable or unsafe; WARNING is worth knowing (leaked space, a recovered footer)
 * @param where    the structure and place, for example {@code "BAT entry 17"} or {@code "footer at offset 4096"}
 * @param what     the problem, one line
 */
public record VhdProblem(Severity severity, String where, String what) {
    public enum Severity { ERROR, WARNING }

    public static VhdProblem error(String where, String what) {
        return new VhdProblem(Severity.ERROR, where, what);
    }

    public static VhdProblem warning(String where, String what) {
        return new VhdProblem(Severity.WARNING, where, what);
    }

    @Override
    public String toString() {
        return severity.name().toLowerCase(java.util.Locale.ROOT) + ": " + (where.isEmpty() ? "" : where + ": ")
                + what;
    }
}
