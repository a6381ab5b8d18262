package dev.airlock.testing;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * A request body of {@code total} bytes that pauses after {@code pauseAt} until {@code go} opens: a proxy that
 * buffered the body before forwarding it would never let the upstream see the first bytes, and the upload fails
 * with an {@link AssertionError} after 20 s instead of hanging.
 */
public final class GatedPublisher implements HttpRequest.BodyPublisher {
    private final long total;
    private final long pauseAt;
    private final CountDownLatch go;

    public GatedPublisher(long total, long pauseAt, CountDownLatch go) {
        this.total = total;
        this.pauseAt = pauseAt;
        this.go = go;
    }

    @Override
    public long contentLength() {
        return total;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
        Thread t = new Thread(() -> {
            byte[] chunk = new byte[64 << 10];
            Arrays.fill(chunk, (byte) 'u');
            long[] demand = {0};
            Object lock = new Object();
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    synchronized (lock) {
                        demand[0] += n;
                        lock.notifyAll();
                    }
                }

                @Override
                public void cancel() {
                }
            });
            try {
                for (long sent = 0; sent < total; sent += chunk.length) {
                    if (sent == pauseAt && !go.await(20, TimeUnit.SECONDS)) {
                        s.onError(new AssertionError("the upstream got nothing while the agent was still sending:"
                                + " the body was buffered"));
                        return;
                    }
                    synchronized (lock) {
                        while (demand[0] == 0) {
                            lock.wait();
                        }
                        demand[0]--;
                    }
                    s.onNext(ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, total - sent)));
                }
                s.onComplete();
            } catch (InterruptedException e) {
                s.onError(e);
            }
        }, "gated-upload");
        t.setDaemon(true);
        t.start();
    }
}
