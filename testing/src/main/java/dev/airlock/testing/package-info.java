/**
 * Test support shared by every module: Netty leak detection that fails tests, and the PostgreSQL
 * fixture (embedded binaries by default, Testcontainers on request) that hands out fresh databases.
 */
package dev.airlock.testing;
