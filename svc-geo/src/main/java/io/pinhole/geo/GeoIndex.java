package io.pinhole.geo;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrInputDocument;
import org.apache.solr.common.params.CursorMarkParams;
import org.apache.solr.common.params.ModifiableSolrParams;

/**
 * The write side: geotagged media and their places in Solr.
 *
 * <p>Every write is idempotent. A media document's ID is the media ID, so indexing it again replaces it; a deleted
 * media leaves a tombstone (no location, no place, {@code deleted:true}) so that a MediaPosted delivered again after
 * its MediaDeleted does not bring it back. Writes are batched and made searchable by commitWithin, never by a commit
 * per document.
 */
final class GeoIndex {

    /** A change to apply: a media posted (or re-read by the rebuild) or deleted. */
    sealed interface Change permits Posted, Deleted {
        long mediaId();
    }

    /** A geotagged media; {@code locationName} may be empty (coordinates only: no place). */
    record Posted(long mediaId, long ownerId, boolean ownerPrivate, String locationName, double lat, double lng,
                  Instant createdAt, List<String> tags) implements Change {
        Posted {
            requireNonNull(locationName, "locationName");
            requireNonNull(createdAt, "createdAt");
            tags = List.copyOf(tags);
        }
    }

    /** A deleted media. */
    record Deleted(long mediaId) implements Change {}

    private final GeoSolr solr;

    GeoIndex(GeoSolr solr) {
        this.solr = requireNonNull(solr, "solr");
    }

    /**
     * Applies {@code changes} in order: one real-time get of candidate places, then at most one add per collection and
     * kind. {@code overwrite} false (events): a media already in the index, live or deleted, is left as it is (Solr
     * skips documents that exist, see {@link GeoSolr#addIfAbsent}), so a redelivered or out-of-date MediaPosted
     * changes nothing, while a MediaDeleted always leaves its tombstone. {@code overwrite} true (rebuild): the changes
     * are the truth and replace what is there.
     */
    void apply(List<? extends Change> changes, boolean overwrite) {
        if (changes.isEmpty()) {
            return;
        }
        // The places the named locations may belong to, in one real-time get.
        final Set<String> candidates = new LinkedHashSet<>();
        for (Change change : changes) {
            if (change instanceof Posted posted && !PlaceKeys.normalize(posted.locationName()).isEmpty()) {
                PlaceKeys.candidateIds(PlaceKeys.normalize(posted.locationName()), posted.lat(), posted.lng())
                         .forEach(id -> candidates.add(Long.toString(id)));
            }
        }
        final Map<String, SolrDocument> places = new HashMap<>(solr.get(solr.places(), candidates));

        final Map<String, SolrInputDocument> newPlaces = new LinkedHashMap<>();
        final Map<String, SolrInputDocument> posted = new LinkedHashMap<>();
        final Map<String, SolrInputDocument> deleted = new LinkedHashMap<>();
        for (Change change : changes) {
            final String id = Long.toString(change.mediaId());
            switch (change) {
                case Posted media -> {
                    if (!deleted.containsKey(id)) {
                        posted.put(id, mediaDocument(media, place(media, places, newPlaces)));
                    }
                }
                case Deleted media -> {
                    posted.remove(id);
                    deleted.put(id, tombstone(media.mediaId()));
                }
            }
        }
        // Places first: a media document never names a place that is not there. A place is created once: the
        // first writer's name and point stay (another replica may have created the same ID a moment ago).
        solr.addIfAbsent(solr.places(), newPlaces.values());
        if (overwrite) {
            posted.putAll(deleted);
            solr.add(solr.media(), posted.values());
        } else {
            solr.addIfAbsent(solr.media(), posted.values());
            solr.add(solr.media(), deleted.values());
        }
    }

    /** The place of a named location: the nearest one with its name within reach, else a new one. */
    private static SolrDocument place(Posted posted, Map<String, SolrDocument> places,
                                      Map<String, SolrInputDocument> newPlaces) {
        final String key = PlaceKeys.normalize(posted.locationName());
        if (key.isEmpty()) {
            return null;
        }
        SolrDocument nearest = null;
        double nearestKm = Double.MAX_VALUE;
        for (long id : PlaceKeys.candidateIds(key, posted.lat(), posted.lng())) {
            final SolrDocument place = places.get(Long.toString(id));
            if (place == null || !key.equals(place.getFieldValue("name_key"))) {
                continue;
            }
            final double[] point = point(place);
            final double km = PlaceKeys.distanceKm(posted.lat(), posted.lng(), point[0], point[1]);
            if (km <= PlaceKeys.SAME_PLACE_KM && km < nearestKm) {
                nearest = place;
                nearestKm = km;
            }
        }
        if (nearest != null) {
            return nearest;
        }
        final long id = PlaceKeys.newPlaceId(key, posted.lat(), posted.lng());
        final SolrInputDocument doc = new SolrInputDocument();
        doc.addField("id", Long.toString(id));
        doc.addField("place_id", id);
        doc.addField("name", PlaceKeys.displayName(posted.locationName()));
        doc.addField("name_key", key);
        doc.addField("name_prefix", PlaceKeys.displayName(posted.locationName()));
        doc.addField("location", point(posted.lat(), posted.lng()));
        doc.addField("first_media_id", posted.mediaId());
        newPlaces.put(Long.toString(id), doc);
        final SolrDocument created = new SolrDocument();
        doc.forEach((name, field) -> created.setField(name, field.getValue()));
        places.put(Long.toString(id), created);
        return created;
    }

    private static SolrInputDocument mediaDocument(Posted posted, SolrDocument place) {
        final SolrInputDocument doc = new SolrInputDocument();
        doc.addField("id", Long.toString(posted.mediaId()));
        doc.addField("media_id", posted.mediaId());
        doc.addField("owner_id", posted.ownerId());
        doc.addField("owner_private", posted.ownerPrivate());
        doc.addField("location", point(posted.lat(), posted.lng()));
        doc.addField("created_at", Date.from(posted.createdAt()));
        if (!posted.tags().isEmpty()) {
            doc.addField("tags", posted.tags());
        }
        if (place != null) {
            doc.addField("place_id", place.getFieldValue("place_id"));
            doc.addField("place_name", place.getFieldValue("name"));
        }
        doc.addField("deleted", false);
        return doc;
    }

    private static SolrInputDocument tombstone(long mediaId) {
        final SolrInputDocument doc = new SolrInputDocument();
        doc.addField("id", Long.toString(mediaId));
        doc.addField("media_id", mediaId);
        doc.addField("deleted", true);
        return doc;
    }

    /**
     * Sets the owner's privacy on all their media. The documents are found by a search, so what was indexed within the
     * commitWithin window is made searchable first (a soft commit: privacy changes are rare).
     */
    void setOwnerPrivacy(long ownerId, boolean isPrivate) {
        solr.softCommit(solr.media());
        String cursor = CursorMarkParams.CURSOR_MARK_START;
        while (true) {
            final ModifiableSolrParams params = new ModifiableSolrParams();
            params.set("q", "owner_id:" + ownerId);
            params.set("fq", "owner_private:" + !isPrivate);
            params.set("fl", "id");
            params.set("rows", 500);
            params.set("sort", "id asc");
            params.set(CursorMarkParams.CURSOR_MARK_PARAM, cursor);
            final QueryResponse page = solr.query(solr.media(), params);
            final List<SolrInputDocument> updates = new ArrayList<>();
            for (SolrDocument doc : page.getResults()) {
                final SolrInputDocument update = new SolrInputDocument();
                update.addField("id", doc.getFieldValue("id"));
                update.addField("owner_private", Map.of("set", isPrivate));
                updates.add(update);
            }
            solr.add(solr.media(), updates);
            if (page.getResults().size() < 500 || cursor.equals(page.getNextCursorMark())) {
                return;
            }
            cursor = page.getNextCursorMark();
        }
    }

    /** Solr's "lat,lng", never in exponent notation. */
    static String point(double lat, double lng) {
        return BigDecimal.valueOf(lat).toPlainString() + "," + BigDecimal.valueOf(lng).toPlainString();
    }

    static double[] point(SolrDocument doc) {
        final String[] parts = String.valueOf(doc.getFieldValue("location")).split(",");
        return new double[] {Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim())};
    }
}
