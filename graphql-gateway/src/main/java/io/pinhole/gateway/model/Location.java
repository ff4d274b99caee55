package io.pinhole.gateway.model;

/**
 * The GraphQL {@code Location}: a named place of svc-geo's (deduplicated by name and proximity).
 *
 * @param id the decimal string of the place ID
 */
public record Location(String id, String name, double lat, double lng) {
}
