package dev.airlock.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS for a listener: a certificate and key from files, or a self-signed certificate generated at
 * start-up (development only).
 */
public sealed interface TlsConfig permits TlsConfig.Files, TlsConfig.SelfSigned {

    /** PEM certificate chain and PEM private key. */
    record Files(Path certificate, Path privateKey) implements TlsConfig {
        public Files {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(privateKey, "privateKey");
        }
    }

    /** A throw-away self-signed certificate, for development. */
    record SelfSigned() implements TlsConfig {
    }
}
