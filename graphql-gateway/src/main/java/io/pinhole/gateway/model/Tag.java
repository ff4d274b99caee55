package io.pinhole.gateway.model;

/**
 * The GraphQL {@code Tag}; its {@code media} connection has its own data fetcher.
 *
 * @param name lower-case, without '#'
 * @param mediaCount media carrying it, not deleted (private accounts' counted too)
 */
public record Tag(String name, int mediaCount) {
}
