package io.pinhole.geo;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.solr.client.solrj.SolrClient;
import org.apache.solr.client.solrj.SolrRequest;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.CloudHttp2SolrClient;
import org.apache.solr.client.solrj.impl.Http2SolrClient;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.CoreAdminRequest;
import org.apache.solr.client.solrj.request.QueryRequest;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.client.solrj.request.schema.SchemaRequest;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrException;
import org.apache.solr.common.SolrInputDocument;
import org.apache.solr.common.params.CommonParams;
import org.apache.solr.common.params.ModifiableSolrParams;
import org.apache.solr.common.params.SolrParams;
import org.apache.solr.common.util.NamedList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * svc-geo's two Solr collections (standalone cores or SolrCloud collections) through one SolrJ client: creation and
 * schema at start-up, then queries, real-time gets and writes. Standalone and cloud differ only in how the client is
 * built and how a missing collection is created (CoreAdmin vs the Collections API); every other call is the same.
 *
 * <p>Failures to reach Solr surface as gRPC UNAVAILABLE (the RPCs) or as exceptions that make the event consumer
 * retry (the indexer).
 */
final class GeoSolr implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GeoSolr.class);
    static final String SCHEMA_RESOURCE = "/solr/geo-schema.json";

    private final SolrSettings settings;
    private final SolrClient client;

    private GeoSolr(SolrSettings settings, SolrClient client) {
        this.settings = settings;
        this.client = client;
    }

    /** A client for {@code settings}; nothing is contacted yet. */
    static GeoSolr connect(SolrSettings settings) {
        requireNonNull(settings, "settings");
        final long timeoutMs = settings.timeout().toMillis();
        final SolrClient client;
        if (settings.mode() == SolrSettings.Mode.STANDALONE) {
            client = timeouts(new Http2SolrClient.Builder(settings.urls().get(0)), timeoutMs).build();
        } else if (settings.zkHosts().isPresent()) {
            // "zk1:2181,zk2:2181/solr": hosts, then an optional chroot (needs solr-solrj-zookeeper, a SolrJ runtime
            // dependency).
            final String spec = settings.zkHosts().get();
            final int slash = spec.indexOf('/');
            final List<String> hosts = List.of((slash < 0 ? spec : spec.substring(0, slash)).split(","));
            client = new CloudHttp2SolrClient.Builder(hosts,
                    slash < 0 ? Optional.empty() : Optional.of(spec.substring(slash)))
                    .withInternalClientBuilder(timeouts(new Http2SolrClient.Builder(), timeoutMs)).build();
        } else {
            client = new CloudHttp2SolrClient.Builder(settings.urls())
                    .withInternalClientBuilder(timeouts(new Http2SolrClient.Builder(), timeoutMs)).build();
        }
        return new GeoSolr(settings, client);
    }

    private static Http2SolrClient.Builder timeouts(Http2SolrClient.Builder builder, long timeoutMs) {
        builder.withConnectionTimeout(Math.min(timeoutMs, 2_000), TimeUnit.MILLISECONDS)
               .withRequestTimeout(timeoutMs, TimeUnit.MILLISECONDS)
               .withIdleTimeout(60, TimeUnit.SECONDS);
        return builder;
    }

    SolrSettings settings() {
        return settings;
    }

    String media() {
        return settings.mediaCollection();
    }

    String places() {
        return settings.placesCollection();
    }

    /**
     * Creates the collections when missing and applies {@value #SCHEMA_RESOURCE} with the Schema API. Idempotent, and
     * safe when several replicas start at once (a field another replica added meanwhile is accepted).
     */
    void ensureSchema() {
        final JsonNode schema;
        try (InputStream in = GeoSolr.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            schema = new ObjectMapper().readTree(requireNonNull(in, SCHEMA_RESOURCE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        final Map<String, String> names = Map.of("media", media(), "places", places());
        schema.get("collections").fields().forEachRemaining(entry -> {
            final String collection = requireNonNull(names.get(entry.getKey()), entry.getKey());
            ensureCollection(collection);
            final List<Map<String, Object>> fields = new ArrayList<>();
            entry.getValue().forEach(field -> {
                final Map<String, Object> attributes = new LinkedHashMap<>();
                field.fields().forEachRemaining(attribute -> attributes.put(attribute.getKey(),
                        attribute.getValue().isBoolean() ? attribute.getValue().booleanValue() : attribute.getValue().asText()));
                fields.add(attributes);
            });
            ensureFields(collection, fields);
        });
    }

    private void ensureCollection(String name) {
        try {
            if (settings.mode() == SolrSettings.Mode.STANDALONE) {
                final NamedList<Object> status = CoreAdminRequest.getStatus(name, client).getCoreStatus(name);
                if (status == null || status.size() == 0) {
                    final CoreAdminRequest.Create create = new CoreAdminRequest.Create();
                    create.setCoreName(name);
                    create.setConfigSet(settings.configSet());
                    try {
                        create.process(client);
                        log.info("created Solr core {} from configset {}", name, settings.configSet());
                    } catch (SolrException e) {
                        // Another replica starting at the same moment created it, or is creating it right now.
                        if (!String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("already")) {
                            throw e;
                        }
                        awaitCore(name);
                    }
                }
            } else if (!CollectionAdminRequest.listCollections(client).contains(name)) {
                try {
                    final CollectionAdminRequest.Create create = CollectionAdminRequest.createCollection(name,
                            settings.configSet(), settings.shards(), settings.replicas());
                    create.setWaitForFinalState(true);
                    create.process(client);
                    log.info("created Solr collection {} from configset {}", name, settings.configSet());
                } catch (SolrException e) {
                    if (!String.valueOf(e.getMessage()).contains("already exists")) {
                        throw e;
                    }
                }
            }
        } catch (SolrServerException | IOException e) {
            throw new IllegalStateException("cannot create Solr collection " + name + ": " + e, e);
        }
    }

    /** Waits (up to 60 s) for a core another replica is creating to be loaded. */
    private void awaitCore(String name) throws SolrServerException, IOException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            final NamedList<Object> status = CoreAdminRequest.getStatus(name, client).getCoreStatus(name);
            if (status != null && status.size() > 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Solr core " + name + " was being created by another replica but "
                        + "did not appear within 60 s");
            }
            try {
                Thread.sleep(200); // Solr does not announce a core's creation; poll its status
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Solr core " + name, e);
            }
        }
    }

    /**
     * Adds or replaces the fields that differ. Replicas starting together race on the managed schema (a field
     * another replica just added, a schema version that moved under a write): each attempt re-reads the schema and
     * applies only what is still missing, until nothing is.
     */
    private void ensureFields(String collection, List<Map<String, Object>> wanted) {
        SolrException lastRefusal = null;
        for (int attempt = 1; attempt <= 10; attempt++) {
            try {
                final List<SchemaRequest.Update> updates = fieldChanges(collection, wanted);
                if (updates.isEmpty()) {
                    return;
                }
                for (SchemaRequest.Update update : updates) {
                    final Object errors = update.process(client, collection).getResponse().get("errors");
                    if (errors != null) {
                        throw new SolrException(SolrException.ErrorCode.BAD_REQUEST, String.valueOf(errors));
                    }
                }
                log.info("schema of {}: applied {} field changes", collection, updates.size());
            } catch (SolrException e) {
                lastRefusal = e;
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextLong(50, 300)); // let the other replica finish
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            } catch (SolrServerException | IOException e) {
                throw new IllegalStateException("cannot read the schema of " + collection + ": " + e, e);
            }
        }
        throw new IllegalStateException("Schema API kept refusing the fields of " + collection + ": " + lastRefusal,
                                        lastRefusal);
    }

    /** What the schema of {@code collection} lacks of {@code wanted}: fields to add, fields to replace. */
    private List<SchemaRequest.Update> fieldChanges(String collection, List<Map<String, Object>> wanted)
            throws SolrServerException, IOException {
        final Map<String, Map<String, Object>> existing = new LinkedHashMap<>();
        for (Map<String, Object> field : new SchemaRequest.Fields().process(client, collection).getFields()) {
            existing.put(String.valueOf(field.get("name")), field);
        }
        final List<SchemaRequest.Update> updates = new ArrayList<>();
        for (Map<String, Object> field : wanted) {
            final Map<String, Object> current = existing.get(String.valueOf(field.get("name")));
            if (current == null) {
                updates.add(new SchemaRequest.AddField(field));
            } else if (!sameAttributes(current, field)) {
                updates.add(new SchemaRequest.ReplaceField(field));
            }
        }
        return updates;
    }

    private static boolean sameAttributes(Map<String, Object> current, Map<String, Object> wanted) {
        return wanted.entrySet().stream().allMatch(e -> Objects.equals(String.valueOf(current.get(e.getKey())),
                                                                        String.valueOf(e.getValue())));
    }

    /** A search; Solr's 400 answers come back as {@link SolrException} (the caller decides), others as UNAVAILABLE. */
    QueryResponse query(String collection, SolrParams params) {
        try {
            return new QueryRequest(params, SolrRequest.METHOD.POST).process(client, collection);
        } catch (SolrException e) {
            if (e.code() == SolrException.ErrorCode.BAD_REQUEST.code) {
                throw e;
            }
            throw unavailable(e);
        } catch (SolrServerException | IOException e) {
            throw unavailable(e);
        }
    }

    /**
     * Documents by ID through real-time get, which also sees documents not yet searchable (indexed within the
     * commitWithin window); absent IDs are left out. Sent as POST in chunks, so any number of IDs works.
     */
    Map<String, SolrDocument> get(String collection, Collection<String> ids) {
        final Map<String, SolrDocument> found = new LinkedHashMap<>();
        final List<String> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += 500) {
            final ModifiableSolrParams params = new ModifiableSolrParams();
            params.set("qt", "/get");
            params.set("ids", String.join(",", all.subList(from, Math.min(all.size(), from + 500))));
            for (SolrDocument doc : query(collection, params).getResults()) {
                found.put(String.valueOf(doc.getFieldValue("id")), doc);
            }
        }
        return found;
    }

    /** Adds or replaces documents (full or atomic), searchable within {@code PINHOLE_GEO_COMMIT_WITHIN}. */
    void add(String collection, Collection<SolrInputDocument> docs) {
        if (docs.isEmpty()) {
            return;
        }
        try {
            client.add(collection, docs, (int) settings.commitWithin().toMillis());
        } catch (SolrServerException | IOException | SolrException e) {
            throw unavailable(e);
        }
    }

    /**
     * Adds the documents that are not there yet, live or deleted, and leaves those that are: each carries
     * {@code _version_ = -1} ("must not exist") and the request asks Solr to skip, not fail on, the conflicts. One
     * request, and no read before it: how a redelivered event stays a no-op.
     */
    void addIfAbsent(String collection, Collection<SolrInputDocument> docs) {
        if (docs.isEmpty()) {
            return;
        }
        final UpdateRequest update = new UpdateRequest();
        for (SolrInputDocument doc : docs) {
            doc.setField("_version_", -1L);
            update.add(doc);
        }
        update.setCommitWithin((int) settings.commitWithin().toMillis());
        update.setParam(CommonParams.FAIL_ON_VERSION_CONFLICTS, "false");
        try {
            update.process(client, collection);
        } catch (SolrServerException | IOException | SolrException e) {
            throw unavailable(e);
        }
    }

    /**
     * Makes everything indexed so far searchable now (a soft commit). Only for rare operations that must search what
     * was just written (an owner's privacy change, the end of a rebuild); indexing itself relies on commitWithin.
     */
    void softCommit(String collection) {
        try {
            client.commit(collection, true, true, true);
        } catch (SolrServerException | IOException | SolrException e) {
            throw unavailable(e);
        }
    }

    private static RuntimeException unavailable(Exception e) {
        log.warn("Solr request failed: {}", e.toString());
        return Status.UNAVAILABLE.withDescription("search index unavailable, retry later").withCause(e)
                                 .asRuntimeException();
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
