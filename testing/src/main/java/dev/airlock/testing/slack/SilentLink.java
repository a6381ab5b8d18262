package dev.airlock.testing.slack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Socket Mode link that says {@code hello} and then never answers anything, not even a close frame: the Slack
 * end that has gone quiet. Point {@link SlackStandIn#linkUrl} at {@link #url()}. It speaks just enough RFC 6455 for
 * that (the opening handshake and one unmasked text frame) and reads and drops everything else.
 */
public final class SilentLink implements AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public SilentLink() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "silent-link");
        t.setDaemon(true);
        t.start();
    }

    public String url() {
        return "ws://127.0.0.1:" + server.getLocalPort() + "/link/";
    }

    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> talk(s), "silent-link-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void talk(Socket s) {
        try {
            InputStream in = s.getInputStream();
            String key = null;
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                    key = line.substring(line.indexOf(':') + 1).trim();
                }
            }
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] hello = "{\"type\":\"hello\",\"num_connections\":1}".getBytes(StandardCharsets.UTF_8);
            out.write(new byte[] {(byte) 0x81, (byte) hello.length});
            out.write(hello);
            out.flush();
            byte[] drop = new byte[4096];
            while (in.read(drop) >= 0) {
                // silence
            }
        } catch (IOException | NoSuchAlgorithmException e) {
            // the client went away
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
