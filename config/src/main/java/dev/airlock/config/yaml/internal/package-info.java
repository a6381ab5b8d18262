/** Implementation of the located YAML tree: the streaming reader that builds it and spelling suggestions. */
package dev.airlock.config.yaml.internal;
