package io.pinhole.gateway.apq;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.language.AstPrinter;
import io.pinhole.gateway.config.RequestLimits;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Automatic persisted queries are DGS's ({@code dgs.graphql.apq.enabled=true}: GraphQL-Java's
 * {@code ApolloPersistedQuerySupport} on a Caffeine cache, with Micrometer metrics {@code cache.*} named
 * {@code apqCaffeineCache}). This replaces only DGS's default cache (bean name {@value #CACHE_BEAN}), whose bound is
 * a number of entries: anyone may register a query, so the bound here is the size of what is stored, measured as the
 * characters of each parsed document printed compactly, and the cache keeps what is used (Caffeine's size eviction
 * favours frequent entries; an entry unused for a day goes).
 */
@Configuration(proxyBeanMethods = false)
public class ApqConfiguration {

    /** The name DGS's APQ auto-configuration looks for before making its own cache. */
    static final String CACHE_BEAN = "apqCaffeineCache";

    @Bean(name = CACHE_BEAN)
    Cache<String, PreparsedDocumentEntry> apqCaffeineCache(RequestLimits limits) {
        return Caffeine.newBuilder()
                       .maximumWeight(limits.apqCacheChars())
                       .weigher((String hash, PreparsedDocumentEntry entry) -> weight(entry))
                       .expireAfterAccess(Duration.ofDays(1))
                       .recordStats()
                       .build();
    }

    /** About the characters the entry holds: its document printed compactly, or its errors' messages. */
    static int weight(PreparsedDocumentEntry entry) {
        if (entry.getDocument() != null) {
            return Math.max(1, AstPrinter.printAstCompact(entry.getDocument()).length());
        }
        return Math.max(1, entry.getErrors().stream().mapToInt(error -> error.getMessage().length()).sum());
    }
}
