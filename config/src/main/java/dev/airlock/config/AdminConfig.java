package dev.airlock.config;

/**
 * The admin listener: health, metrics, the approval REST API and web page.
 *
 * @param bind address to bind
 * @param port TCP port
 */
public record AdminConfig(String bind, int port) {

    public static final AdminConfig DEFAULT = new AdminConfig("127.0.0.1", 9090);

    public AdminConfig {
        Checks.nonBlank(bind, "bind");
        Checks.port(port, "port");
    }
}
