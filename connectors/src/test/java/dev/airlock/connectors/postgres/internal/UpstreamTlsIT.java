package dev.airlock.connectors.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.connectors.postgres.PostgresListenerConfig;
import dev.airlock.connectors.spi.UpstreamTarget;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.netty.util.concurrent.Future;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Airlock's login to a TLS-only upstream: verify-full against a configured CA, SCRAM-SHA-256-PLUS with channel
 * binding, and refusal of a certificate that the trust anchors do not vouch for. Its own embedded server, started
 * with {@code ssl = on} and an hba that accepts the test role only over TLS with SCRAM.
 */
class UpstreamTlsIT {

    static Path dir;
    static X509Bundle ca;
    static EmbeddedPostgres pg;
    static EventLoopGroup group;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("airlock-upstream-tls");
        ca = new CertificateBuilder().subject("CN=Airlock test CA").setIsCertificateAuthority(true).buildSelfSigned();
        X509Bundle server = new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost")
                .addExtendedKeyUsageServerAuth().buildIssuedBy(ca);
        Files.writeString(dir.resolve("ca.pem"), ca.getCertificatePEM());
        Files.writeString(dir.resolve("server.crt"), server.getCertificatePEM());
        Path key = dir.resolve("server.key");
        Files.writeString(key, server.getPrivateKeyPEM());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        pg = EmbeddedPostgres.builder()
                .setServerConfig("ssl", "on")
                .setServerConfig("ssl_cert_file", dir.resolve("server.crt").toString())
                .setServerConfig("ssl_key_file", key.toString())
                .setServerConfig("password_encryption", "scram-sha-256")
                .start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE airlock_tls LOGIN PASSWORD 'tls-secret'");
            String hba;
            try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                rs.next();
                hba = rs.getString(1);
            }
            Path file = Path.of(hba);
            Files.writeString(file, "hostssl all airlock_tls 127.0.0.1/32 scram-sha-256\n"
                    + "host all airlock_tls 127.0.0.1/32 reject\n" + Files.readString(file));
            s.execute("SELECT pg_reload_conf()");
        }
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() throws Exception {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static UpstreamTarget target(UpstreamTarget.TlsMode mode, Path roots) {
        return new UpstreamTarget("localhost", pg.getPort(), "postgres", "airlock_tls", "tls-secret", mode, roots, null);
    }

    private static Future<UpstreamHandshakeHandler.Ready> login(UpstreamTarget t) {
        return UpstreamHandshakeHandler.connect(group.next(), NioSocketChannel.class, t, Map.of(),
                PostgresListenerConfig.defaults(null, true));
    }

    /** pg_hba.conf is reloaded asynchronously: the first logins may still see the old rules. */
    private static UpstreamHandshakeHandler.Ready loginEventually(UpstreamTarget t) throws Exception {
        for (int i = 0; ; i++) {
            Future<UpstreamHandshakeHandler.Ready> f = login(t).await();
            if (f.isSuccess()) {
                return f.getNow();
            }
            assertThat(i).as("login: %s", f.cause()).isLessThan(200);
            Thread.onSpinWait();
        }
    }

    @Test
    void verifiesTheServerAgainstConfiguredRootsAndBindsTheChannel() throws Exception {
        UpstreamHandshakeHandler.Ready ready = loginEventually(target(UpstreamTarget.TlsMode.VERIFY_FULL, dir.resolve("ca.pem")));
        try {
            assertThat(ready.channelBound()).as("SCRAM-SHA-256-PLUS with tls-server-end-point").isTrue();
            assertThat(ready.channel().pipeline().get(UpstreamHandshakeHandler.TLS)).isNotNull();
        } finally {
            ready.channel().close().syncUninterruptibly();
        }
    }

    @Test
    void refusesAServerTheTrustStoreDoesNotVouchFor() throws Exception {
        loginEventually(target(UpstreamTarget.TlsMode.VERIFY_FULL, dir.resolve("ca.pem"))).channel().close();
        Future<UpstreamHandshakeHandler.Ready> f = login(target(UpstreamTarget.TlsMode.VERIFY_FULL, null)).await();
        assertThat(f.isSuccess()).isFalse();
        assertThat(f.cause()).hasStackTraceContaining("PKIX");
    }

    @Test
    void requireEncryptsWithoutVerifying() throws Exception {
        UpstreamHandshakeHandler.Ready ready = loginEventually(target(UpstreamTarget.TlsMode.REQUIRE, null));
        try {
            assertThat(ready.channel().pipeline().get(UpstreamHandshakeHandler.TLS)).isNotNull();
        } finally {
            ready.channel().close().syncUninterruptibly();
        }
    }
}
