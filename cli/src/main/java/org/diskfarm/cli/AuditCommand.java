package org.diskfarm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

import static org.diskfarm.cli.Table.column;

/** {@code diskfarm audit [--limit N]}: the newest changes to the farm, who made them and when. */
@Command(name = "audit",
        description = {"Show the audit log, newest first: every change made through the API, who made it "
                + "(admin@ADDRESS) and when."})
final class AuditCommand implements Callable<Integer> {
    static final int DEFAULT_LIMIT = 100;
    static final Table TABLE = new Table(column("ID", "id"), column("AT", "at"), column("ACTOR", "actor"),
            column("ACTION", "action"), column("SUBJECT", "subject"), column("DETAIL", "detail"));

    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions api;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "" + DEFAULT_LIMIT,
            description = "Show the newest N entries (default: ${DEFAULT-VALUE}); 0 shows them all.")
    int limit;

    @Override
    public Integer call() {
        if (limit < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be 0 (all) or more");
        }
        try (ApiClient client = api.client()) {
            api.output().list(client.list("/audit", limit), TABLE);
        }
        return ExitStatus.OK;
    }
}
