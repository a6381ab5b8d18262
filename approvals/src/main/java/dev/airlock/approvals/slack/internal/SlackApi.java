package dev.airlock.approvals.slack.internal;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack Web API calls through the Slack SDK, with retries on HTTP 429 honouring {@code Retry-After}.
 * Blocking: call it from the channel's worker threads only.
 */
public final class SlackApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SlackApi.class);

    private final Slack slack;
    private final MethodsClient bot;
    private final int maxAttempts;
    private final Duration maxRetryAfter;

    /** One Web API call. */
    @FunctionalInterface
    public interface Call<T extends SlackApiTextResponse> {
        T call(MethodsClient methods) throws IOException, SlackApiException;
    }

    /** A Web API call that failed for good: Slack's error code, or the HTTP failure. */
    public static final class SlackCallException extends Exception {
        private final String error;

        SlackCallException(String method, String error, Throwable cause) {
            super(method + ": " + error, cause);
            this.error = error;
        }

        /** Slack's {@code error} (e.g. {@code message_not_found}) or {@code http_<code>} / {@code io}. */
        public String error() {
            return error;
        }
    }

    public SlackApi(String botToken, String methodsUrlPrefix, int maxAttempts, Duration maxRetryAfter) {
        SlackConfig config = new SlackConfig();
        config.setStatsEnabled(false);
        if (methodsUrlPrefix != null) {
            config.setMethodsEndpointUrlPrefix(methodsUrlPrefix);
        }
        this.slack = Slack.getInstance(config);
        this.bot = slack.methods(botToken);
        this.maxAttempts = maxAttempts;
        this.maxRetryAfter = maxRetryAfter;
    }

    /** The bot-token client. */
    public <T extends SlackApiTextResponse> T call(String method, Call<T> call) throws SlackCallException, InterruptedException {
        return call(method, bot, call);
    }

    /** A client for another token (the app-level token for {@code apps.connections.open}). */
    public <T extends SlackApiTextResponse> T call(String method, String token, Call<T> call)
            throws SlackCallException, InterruptedException {
        return call(method, slack.methods(token), call);
    }

    private <T extends SlackApiTextResponse> T call(String method, MethodsClient client, Call<T> call)
            throws SlackCallException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            long waitMillis;
            try {
                T r = call.call(client);
                if (r.isOk()) {
                    return r;
                }
                if (!"ratelimited".equals(r.getError()) || attempt >= maxAttempts) {
                    throw new SlackCallException(method, r.getError(), null);
                }
                waitMillis = 1000;
            } catch (SlackApiException e) {
                int code = e.getResponse().code();
                if (code != 429 || attempt >= maxAttempts) {
                    throw new SlackCallException(method, "http_" + code, e);
                }
                waitMillis = retryAfterMillis(e.getResponse().header("Retry-After"));
                if (waitMillis > maxRetryAfter.toMillis()) {
                    throw new SlackCallException(method, "ratelimited (Retry-After " + waitMillis / 1000 + " s)", e);
                }
            } catch (IOException e) {
                if (attempt >= maxAttempts) {
                    throw new SlackCallException(method, "io", e);
                }
                waitMillis = 200L * attempt;
            }
            log.debug("slack {}: retrying in {} ms (attempt {} of {})", method, waitMillis, attempt + 1, maxAttempts);
            Thread.sleep(waitMillis);
        }
    }

    static long retryAfterMillis(String header) {
        if (header == null) {
            return 1000;
        }
        try {
            long s = Long.parseLong(header.trim());
            return Math.max(0, s) * 1000;
        } catch (NumberFormatException e) {
            return 1000;
        }
    }

    @Override
    public void close() {
        try {
            slack.close();
        } catch (Exception e) {
            log.debug("closing the Slack client failed", e);
        }
    }
}
