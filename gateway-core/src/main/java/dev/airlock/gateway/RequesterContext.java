package dev.airlock.gateway;

import dev.airlock.approvals.StatedReason;
import dev.airlock.config.Protocol;
import dev.airlock.connectors.spi.Command;

/**
 * What the agent says about a command it wants approved, from wherever its client put it: the reason the connector
 * found beside the command (HTTP {@code X-Airlock-Reason}), else a leading {@code reason:} comment of a SQL
 * statement, else the database session's {@code application_name}. Shown to approvers; never an input of the
 * decision or the action digest (the gate asks for it only once the decision is made).
 */
final class RequesterContext {

    private RequesterContext() {
    }

    /** The stated reason for {@code command}, cleaned (see {@link StatedReason#clean}), or {@code null}. */
    static String statedReason(Command command, String applicationName) {
        String reason = StatedReason.fromHeader(command.statedReason());
        if (reason == null && command.kind() != Command.Kind.HTTP_REQUEST && command.kind() != Command.Kind.FUNCTION_CALL) {
            reason = StatedReason.fromSql(command.text());
        }
        if (reason == null && (command.protocol() == Protocol.POSTGRES || command.protocol() == Protocol.MYSQL)) {
            reason = StatedReason.fromApplicationName(applicationName);
        }
        return reason;
    }
}
