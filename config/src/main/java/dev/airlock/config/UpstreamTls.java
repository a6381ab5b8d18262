package dev.airlock.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How Airlock encrypts its connection to a database upstream (libpq's {@code sslmode} / {@code sslrootcert}).
 *
 * @param mode      disable, require (encrypted, certificate not checked) or verify-full (chain and host name checked)
 * @param rootCert  PEM file of the trusted certificate authorities for verify-full; empty for the JDK's trust store
 */
public record UpstreamTls(Mode mode, Optional<Path> rootCert) {

    /** Plain TCP, as when nothing is configured. */
    public static final UpstreamTls DISABLE = new UpstreamTls(Mode.DISABLE, Optional.empty());

    public UpstreamTls {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(rootCert, "rootCert");
        if (rootCert.isPresent() && mode != Mode.VERIFY_FULL) {
            throw new IllegalArgumentException("rootCert: " + rootCert.get() + " (expected: only with mode verify-full)");
        }
    }

    /** The encryption modes, spelled in YAML as libpq does: {@code disable}, {@code require}, {@code verify-full}. */
    public enum Mode {
        DISABLE, REQUIRE, VERIFY_FULL;

        public String yamlName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }
}
