package dev.airlock.connectors.postgres;

import dev.airlock.connectors.postgres.message.BackendMessage;
import dev.airlock.connectors.postgres.message.BackendType;
import dev.airlock.connectors.postgres.message.FrontendMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/** A blocking socket speaking raw protocol bytes, for malformed-input tests. */
final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void send(FrontendMessage m) throws IOException {
        ByteBuf b = Unpooled.buffer();
        try {
            m.encode(b);
            send(b);
        } finally {
            b.release();
        }
    }

    void send(ByteBuf b) throws IOException {
        byte[] bytes = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), bytes);
        send(bytes);
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads one typed backend message; relay-only messages (DataRow, …) read as {@code null}.
     *
     * @throws EOFException at end of stream
     */
    BackendMessage read() throws IOException {
        int type = in.readUnsignedByte();
        int len = in.readInt();
        byte[] body = new byte[len - 4];
        in.readFully(body);
        ByteBuf frame = Unpooled.buffer(len + 1).writeByte(type).writeInt(len).writeBytes(body);
        try {
            BackendType t = BackendType.ofFrame(frame);
            return t.decodable() ? t.decodeBody(frame) : null;
        } finally {
            frame.release();
        }
    }

    /** Whether the server closed the connection (reads until end of stream). */
    boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain
            }
            return true;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
