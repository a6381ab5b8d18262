package dev.airlock.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reports a leaked {@link ByteBuf} during it.
 *
 * <p>Registered for every test class through JUnit's extension auto-detection (see the surefire and
 * failsafe configuration in the root pom). Netty only notices a leak when a buffer that was never
 * released is garbage collected and the detector is next consulted, so after each class this
 * collects garbage and allocates a few tracked buffers until the reference queue has been drained.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {

    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static {
        if (ResourceLeakDetector.getLevel().ordinal() < ResourceLeakDetector.Level.PARANOID.ordinal()) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        ByteBufUtil.setLeakListener((resourceType, records) -> LEAKS.add(resourceType + '\n' + records));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // A leak from an earlier class that was only now collected is reported against that class
        // when possible; whatever is left belongs to nobody we can name, so start clean.
        collect();
        LEAKS.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        collect();
        List<String> leaks = drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) detected in "
                    + context.getDisplayName() + ":\n" + String.join("\n---\n", leaks));
        }
    }

    /** Returns the leaks reported so far and forgets them. */
    public static List<String> drain() {
        List<String> out = new ArrayList<>();
        for (String s; (s = LEAKS.poll()) != null; ) {
            out.add(s);
        }
        return out;
    }

    /** Forces garbage collection and lets the leak detector look at its reference queue. */
    public static void collect() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            System.runFinalization();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (int i = 0; i < 16; i++) {
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.buffer(8);
                pooled.release();
                ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.buffer(8);
                unpooled.release();
            }
        }
    }
}
