package dev.airlock.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

class LeakDetectionExtensionTest {

    @Test
    void failsTheClassThatLeaksABuffer() {
        Events containers = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .selectors(selectClass(Leaking.class))
                .execute()
                .containerEvents();
        assertThat(containers.failed().count()).isEqualTo(1);
        Throwable cause = containers.failed().stream().findFirst().orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        assertThat(cause).isInstanceOf(AssertionError.class).hasMessageContaining("Netty buffer leak");
    }

    @Test
    void passesTheClassThatReleasesItsBuffers() {
        Events containers = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .selectors(selectClass(Tidy.class))
                .execute()
                .containerEvents();
        assertThat(containers.failed().count()).isZero();
    }

    /** Run only through the test kit above (surefire skips nested classes). */
    static class Leaking {
        @Test
        void leaks() {
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(64);
            buf.writeLong(42);
            // never released
        }
    }

    static class Tidy {
        @Test
        void releases() {
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(64);
            buf.writeLong(42);
            buf.release();
        }
    }
}
