/** The {@code airlock} command line (picocli): one class per command, the only place that prints and exits. */
package dev.airlock.cli;
