package dev.airlock.gateway.identity.bench;

import dev.airlock.gateway.identity.DevIssuer;
import dev.airlock.gateway.identity.IssuerSettings;
import dev.airlock.gateway.identity.TokenVerifier;
import dev.airlock.gateway.identity.VerifierOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Throughput of {@link TokenVerifier} on one thread: full verification (token cache off) per algorithm, and
 * cache hits. Not run by {@code verify}; see BENCHMARKS.md ("Identity") for the command.
 */
public final class TokenVerifierBench {

    private TokenVerifierBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        try (DevIssuer dev = DevIssuer.start()) {
            IssuerSettings settings = dev.settings().withAlgorithms(IssuerSettings.SUPPORTED_ALGORITHMS);
            for (String alg : List.of("RS256", "PS256", "ES256", "EdDSA")) {
                List<String> tokens = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    tokens.add(dev.token("user-" + i).algorithm(alg).groups("agents").actor("agent-" + i).mint());
                }
                try (TokenVerifier v = TokenVerifier.create(List.of(settings), VerifierOptions.defaults().withTokenCacheSize(0))) {
                    run(v, tokens); // warm-up, and the one JWKS fetch
                    long t0 = System.nanoTime();
                    run(v, tokens);
                    report(alg + " full verification", n, System.nanoTime() - t0);
                }
            }
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                tokens.add(dev.token("user-" + i).mint());
            }
            try (TokenVerifier v = TokenVerifier.create(List.of(settings), VerifierOptions.defaults())) {
                run(v, tokens);
                int rounds = Math.max(1, n / 10);
                for (int r = 0; r < rounds; r++) {
                    run(v, tokens);
                }
                long t0 = System.nanoTime();
                for (int r = 0; r < rounds; r++) {
                    run(v, tokens);
                }
                report("cache hit", rounds * tokens.size(), System.nanoTime() - t0);
            }
        }
    }

    private static void run(TokenVerifier v, List<String> tokens) throws Exception {
        for (String t : tokens) {
            v.verify(t).toCompletableFuture().get();
        }
    }

    private static void report(String what, int count, long nanos) {
        System.out.printf("%-24s %9.0f ops/s  %8.1f µs/op%n", what, count / (nanos / 1e9), nanos / 1e3 / count);
    }
}
