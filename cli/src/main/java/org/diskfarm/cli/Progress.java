package org.diskfarm.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.function.LongConsumer;

/**
 * A progress bar over a number of bytes, drawn on stderr while stdout is a terminal ({@link Terminal#isInteractive()});
 * otherwise it does nothing, so that scripts and tests see only the commands' results.
 *
 * <p>Threads: {@link #accept} may be called from any thread; the bar redraws on its own thread.
 */
final class Progress implements LongConsumer, AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /** A bar named {@code task} counting up to {@code totalBytes}, or a silent one if nobody watches. */
    static Progress start(String task, long totalBytes) {
        if (!Terminal.isInteractive()) {
            return new Progress(null);
        }
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(totalBytes)
                .setUnit(" MiB", 1 << 20)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .showSpeed()
                .clearDisplayOnFinish()
                .build();
        return new Progress(bar);
    }

    /** Bytes done so far. */
    @Override
    public void accept(long doneBytes) {
        if (bar != null) {
            bar.stepTo(doneBytes);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
