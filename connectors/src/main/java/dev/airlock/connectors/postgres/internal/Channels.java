package dev.airlock.connectors.postgres.internal;

import dev.airlock.connectors.postgres.message.BackendMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;

/** Small channel helpers shared by the handlers. */
final class Channels {

    private Channels() {
    }

    static ByteBuf encode(Channel ch, BackendMessage... messages) {
        ByteBuf buf = ch.alloc().buffer();
        for (BackendMessage m : messages) {
            m.encode(buf);
        }
        return buf;
    }

    /** Writes the messages, flushes, then closes. */
    static void closeOnFlush(Channel ch, BackendMessage... messages) {
        if (ch.isActive()) {
            ch.writeAndFlush(encode(ch, messages)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    static void closeOnFlush(Channel ch) {
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(ch.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Disconnects and transport errors that say nothing about Airlock (logged at debug). */
    static boolean isExpected(Throwable t) {
        if (t instanceof ClosedChannelException) {
            return true;
        }
        if (t instanceof IOException && !(t instanceof SSLException)) {
            return true;
        }
        return t instanceof DecoderException && t.getCause() instanceof SSLException;
    }
}
