package io.pinhole.gateway.model;

import java.time.OffsetDateTime;

/**
 * The GraphQL {@code Comment}; {@code author} is resolved through the users DataLoader.
 *
 * @param id the decimal string of the 64-bit comment ID
 */
public record Comment(String id, String text, long authorId, OffsetDateTime createdAt) {
}
