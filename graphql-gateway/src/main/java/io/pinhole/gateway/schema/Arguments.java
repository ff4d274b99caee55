package io.pinhole.gateway.schema;

import io.pinhole.gateway.error.GatewayException;

/**
 * Checks of GraphQL arguments the gateway makes before calling a service, so that a malformed argument is the
 * client's BAD_USER_INPUT naming the argument ({@code extensions.fields}), never an INTERNAL error.
 */
public final class Arguments {

    /** Page size of a connection or list when {@code first} is left out (the services' default too). */
    public static final int DEFAULT_FIRST = 20;
    /** The most items one page may ask for (the services' maximum too). */
    public static final int MAX_FIRST = 50;

    private Arguments() {}

    /**
     * The 64-bit Pinhole ID that the GraphQL {@code ID} {@code value} spells in decimal.
     *
     * @throws GatewayException BAD_USER_INPUT naming {@code argument} when {@code value} is not a positive decimal
     *         64-bit integer (no sign, no spaces, no leading '+')
     */
    public static long id(String value, String argument) {
        if (value != null && !value.isEmpty() && value.length() <= 19 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                final long id = Long.parseLong(value);
                if (id > 0) {
                    return id;
                }
            } catch (NumberFormatException tooLarge) {
                // fall through: 19 digits can exceed Long.MAX_VALUE
            }
        }
        throw GatewayException.badArgument(argument, "must be a Pinhole ID: the decimal string of a positive 64-bit integer");
    }

    /**
     * The page size {@code first} asks for: {@value #DEFAULT_FIRST} when null.
     *
     * @throws GatewayException BAD_USER_INPUT (argument {@code first}) outside 1–{@value #MAX_FIRST}
     */
    public static int first(Integer first) {
        if (first == null) {
            return DEFAULT_FIRST;
        }
        if (first < 1 || first > MAX_FIRST) {
            throw GatewayException.badArgument("first", "must be between 1 and " + MAX_FIRST);
        }
        return first;
    }
}
