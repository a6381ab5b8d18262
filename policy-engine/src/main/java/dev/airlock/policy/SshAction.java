package dev.airlock.policy;

import dev.airlock.config.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An SSH channel request: a command, a shell, or a subsystem (sftp) with its file transfers.
 *
 * @param connection Airlock connection name
 * @param channel    what kind of channel request this is
 * @param program    the program (argv[0]) for exec, the subsystem name for subsystems, {@code null} for a shell
 * @param argv       full argument vector for exec (argv[0] included); empty otherwise
 * @param transfer   file transfer direction, {@link Transfer#NONE} when no file moves
 * @param paths      paths involved in a transfer
 */
public record SshAction(String connection, ChannelType channel, String program, List<String> argv,
                        Transfer transfer, List<String> paths) implements Action {

    public enum ChannelType { EXEC, SHELL, SUBSYSTEM }

    public enum Transfer { NONE, UPLOAD, DOWNLOAD }

    public SshAction {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(channel, "channel");
        argv = List.copyOf(argv);
        transfer = transfer == null ? Transfer.NONE : transfer;
        paths = List.copyOf(paths);
    }

    @Override
    public Protocol protocol() {
        return Protocol.SSH;
    }

    @Override
    public String digest() {
        List<String> parts = new ArrayList<>();
        parts.add("ssh");
        parts.add(connection);
        parts.add(channel.name());
        parts.add(program);
        parts.addAll(argv);
        parts.add(transfer.name());
        parts.addAll(paths);
        return Digests.sha256Hex(parts);
    }

    @Override
    public String summary() {
        return switch (channel) {
            case EXEC -> String.join(" ", argv);
            case SHELL -> "(interactive shell)";
            case SUBSYSTEM -> program + (paths.isEmpty() ? "" : " " + transfer.name().toLowerCase() + " " + String.join(" ", paths));
        };
    }
}
