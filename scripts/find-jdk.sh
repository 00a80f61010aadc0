# Sourced by ./diskfarm and ./run-tests: sets JDK to a JDK 25 or newer (JAVA_HOME first, then /usr/lib/jvm/*).
# The default java on these machines is 17, which cannot run diskfarm; never rely on PATH.
java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

find_jdk() {
    local candidate major
    for candidate in ${JAVA_HOME:+"$JAVA_HOME"} $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
        candidate=${candidate%/}
        [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
        major=$(java_major "$candidate")
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            JDK=$candidate
            return 0
        fi
    done
    echo "diskfarm: no JDK 25 or newer found (set JAVA_HOME, or install one under /usr/lib/jvm)" >&2
    return 1
}
