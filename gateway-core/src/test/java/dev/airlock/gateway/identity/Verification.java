package dev.airlock.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.airlock.policy.Identity;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting on verifications in tests, and the check that no rejection quotes the token. */
final class Verification {
    private Verification() {
    }

    static Identity accepted(TokenVerifier verifier, String token) {
        try {
            return verifier.verify(token).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected the token to be accepted, got " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    static TokenRejectedException rejected(TokenVerifier verifier, String token) {
        return rejected(verifier.verify(token), token);
    }

    static TokenRejectedException rejected(CompletionStage<?> stage, String token) {
        try {
            Object result = stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
            return fail("expected a rejection, got " + result);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(TokenRejectedException.class);
            TokenRejectedException r = (TokenRejectedException) e.getCause();
            assertDoesNotQuote(r, token);
            return r;
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    /** Neither the message nor any cause's message contains the token or one of its parts. */
    static void assertDoesNotQuote(Throwable t, String token) {
        if (token == null) {
            return;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            String text = String.valueOf(c.getMessage()) + c;
            if (token.length() >= 8) {
                assertThat(text).doesNotContain(token);
            }
            for (String part : token.split("\\.")) {
                if (part.length() >= 8) {
                    assertThat(text).as("message of %s", c.getClass().getSimpleName()).doesNotContain(part);
                }
            }
        }
    }
}
