package io.pinhole.platform.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed access to configuration read from environment variables, once, at start-up.
 *
 * <p>Every setting has a documented default so that {@code ./pinhole up} works with no variables set; a value that
 * cannot be parsed fails start-up with the variable's name instead of surfacing later as a confusing error.
 */
public final class Env {

    private final Map<String, String> variables;

    private Env(Map<String, String> variables) {
        this.variables = Map.copyOf(variables);
    }

    /** The process environment. */
    public static Env system() {
        return new Env(System.getenv());
    }

    /** A fixed set of variables, for tests and for services started in-process. */
    public static Env of(Map<String, String> variables) {
        return new Env(requireNonNull(variables, "variables"));
    }

    /** A copy of this environment with {@code overrides} taking precedence. */
    public Env with(Map<String, String> overrides) {
        final var merged = new java.util.HashMap<>(variables);
        merged.putAll(overrides);
        return new Env(merged);
    }

    public Optional<String> find(String name) {
        final String value = variables.get(requireNonNull(name, "name"));
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String string(String name, String defaultValue) {
        return find(name).orElse(defaultValue);
    }

    public String required(String name) {
        return find(name).orElseThrow(() -> new ConfigException(name, "is required but not set"));
    }

    public int integer(String name, int defaultValue) {
        return find(name).map(value -> parseInt(name, value)).orElse(defaultValue);
    }

    public boolean bool(String name, boolean defaultValue) {
        return find(name).map(value -> switch (value.toLowerCase()) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ConfigException(name, "must be true or false, was '" + value + "'");
        }).orElse(defaultValue);
    }

    /** A duration written as ISO-8601 ({@code PT5S}) or as a number with a unit suffix: ms, s, m, h, d. */
    public Duration duration(String name, Duration defaultValue) {
        return find(name).map(value -> parseDuration(name, value)).orElse(defaultValue);
    }

    /** A comma-separated list; empty entries are dropped. */
    public List<String> list(String name, List<String> defaultValue) {
        return find(name)
                .map(value -> Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(defaultValue);
    }

    private static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(name, "must be an integer, was '" + value + "'");
        }
    }

    private static Duration parseDuration(String name, String value) {
        try {
            if (value.startsWith("P") || value.startsWith("p")) {
                return Duration.parse(value);
            }
            final String lower = value.toLowerCase();
            if (lower.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(lower.substring(0, lower.length() - 2)));
            }
            final long amount = Long.parseLong(lower.substring(0, lower.length() - 1));
            return switch (lower.charAt(lower.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new NumberFormatException(value);
            };
        } catch (RuntimeException e) {
            throw new ConfigException(name, "must be a duration such as 250ms, 5s, 10m or PT5S, was '" + value + "'");
        }
    }

    /** A configuration value that is missing or malformed; its message names the variable. */
    public static final class ConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ConfigException(String name, String problem) {
            super("Environment variable " + name + " " + problem);
        }
    }
}
