package io.pinhole.geo;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.solr.client.solrj.response.FacetField;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.client.solrj.util.ClientUtils;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.params.CursorMarkParams;
import org.apache.solr.common.params.ModifiableSolrParams;

/**
 * The read side: the Solr queries behind the RPCs. User text only ever reaches Solr escaped
 * ({@link ClientUtils#escapeQueryChars}) inside a phrase, where no operator has a meaning; numbers are formatted
 * here. Paging uses Solr's cursorMark with the unique key as the last sort field.
 */
final class GeoSearch {

    /** A media found, with its owner (for the visibility check) and its distance when a point was given. */
    record Hit(long mediaId, long ownerId, double distanceKm) {}

    /** One Solr page: its hits and the cursorMark after it; {@code exhausted} when no document follows. */
    record Page(List<Hit> hits, String nextMark, boolean exhausted) {}

    /** Result orders of media lists. */
    enum Order { RECENT, DISTANCE }

    private final GeoSolr solr;

    GeoSearch(GeoSolr solr) {
        this.solr = requireNonNull(solr, "solr");
    }

    /** Media within {@code radiusKm} of the point; {@code publicOnly} leaves private owners' media out in Solr. */
    Page nearby(double lat, double lng, double radiusKm, Order order, boolean publicOnly, String mark, int rows) {
        final ModifiableSolrParams params = new ModifiableSolrParams();
        params.set("q", "*:*");
        params.set("sfield", "location");
        params.set("pt", GeoIndex.point(lat, lng));
        params.set("d", BigDecimal.valueOf(radiusKm).toPlainString());
        params.add("fq", "{!geofilt}");
        if (publicOnly) {
            params.add("fq", "owner_private:false");
        }
        params.set("fl", "media_id,owner_id,dist:geodist()");
        params.set("sort", order == Order.DISTANCE ? "geodist() asc,media_id desc,id asc" : "media_id desc,id asc");
        return page(params, mark, rows);
    }

    /** Media at a place, newest first. */
    Page placeMedia(long placeId, boolean publicOnly, String mark, int rows) {
        final ModifiableSolrParams params = new ModifiableSolrParams();
        params.set("q", "*:*");
        params.add("fq", "place_id:" + placeId);
        if (publicOnly) {
            params.add("fq", "owner_private:false");
        }
        params.set("fl", "media_id,owner_id");
        params.set("sort", "media_id desc,id asc");
        return page(params, mark, rows);
    }

    private Page page(ModifiableSolrParams params, String mark, int rows) {
        params.set("rows", rows);
        params.set(CursorMarkParams.CURSOR_MARK_PARAM, mark);
        final QueryResponse response = solr.query(solr.media(), params);
        final List<Hit> hits = new ArrayList<>();
        for (SolrDocument doc : response.getResults()) {
            final Object distance = doc.getFieldValue("dist");
            hits.add(new Hit((Long) doc.getFieldValue("media_id"), (Long) doc.getFieldValue("owner_id"),
                             distance instanceof Number number ? number.doubleValue() : 0));
        }
        final String next = response.getNextCursorMark();
        return new Page(hits, next, hits.size() < rows || mark.equals(next));
    }

    /** Places by ID (real-time get: a place is found as soon as it was created). */
    Map<Long, SolrDocument> places(Collection<Long> ids) {
        final Map<Long, SolrDocument> found = new LinkedHashMap<>();
        solr.get(solr.places(), ids.stream().map(String::valueOf).toList())
            .forEach((id, doc) -> found.put(Long.parseLong(id), doc));
        return found;
    }

    /** The place ID of each media that has one (real-time get; deleted media have none). */
    Map<Long, Long> placeOfMedia(Collection<Long> mediaIds) {
        final Map<Long, Long> found = new LinkedHashMap<>();
        solr.get(solr.media(), mediaIds.stream().map(String::valueOf).toList()).forEach((id, doc) -> {
            if (doc.getFieldValue("place_id") instanceof Long place) {
                found.put(Long.parseLong(id), place);
            }
        });
        return found;
    }

    /** How many indexed, not deleted media each place has (private owners' media included). */
    Map<Long, Long> mediaCounts(Collection<Long> placeIds) {
        final Map<Long, Long> counts = new LinkedHashMap<>();
        if (placeIds.isEmpty()) {
            return counts;
        }
        final ModifiableSolrParams params = new ModifiableSolrParams();
        params.set("q", "*:*");
        params.add("fq", "{!terms f=place_id}" + placeIds.stream().map(String::valueOf).collect(Collectors.joining(",")));
        facetOnPlaces(params, -1);
        for (FacetField.Count count : solr.query(solr.media(), params).getFacetField("place_id").getValues()) {
            counts.put(Long.parseLong(count.getName()), count.getCount());
        }
        return counts;
    }

    /** Places whose name has a word starting with {@code text}'s words, most used first, with their counts. */
    Map<Long, Long> mostUsedPlaces(String text, int limit) {
        final Map<Long, Long> counts = new LinkedHashMap<>();
        if (!hasWords(text)) {
            return counts;
        }
        final ModifiableSolrParams params = new ModifiableSolrParams();
        params.set("q", phrase("place_name", text));
        facetOnPlaces(params, limit);
        for (FacetField.Count count : solr.query(solr.media(), params).getFacetField("place_id").getValues()) {
            counts.put(Long.parseLong(count.getName()), count.getCount());
        }
        return counts;
    }

    /** Places whose name has a word starting with {@code text}'s words, nearest to the point first. */
    List<SolrDocument> placesNear(String text, double lat, double lng, int limit) {
        if (!hasWords(text)) {
            return List.of();
        }
        final ModifiableSolrParams params = new ModifiableSolrParams();
        params.set("q", phrase("name_prefix", text));
        params.set("sfield", "location");
        params.set("pt", GeoIndex.point(lat, lng));
        params.set("sort", "geodist() asc,place_id asc");
        params.set("rows", limit);
        return new ArrayList<>(solr.query(solr.places(), params).getResults());
    }

    private static void facetOnPlaces(ModifiableSolrParams params, int limit) {
        params.set("rows", 0);
        params.set("facet", true);
        params.set("facet.field", "place_id");
        params.set("facet.limit", limit);
        params.set("facet.mincount", 1);
        params.set("facet.sort", "count");
    }

    /**
     * {@code field:"text"}: the text escaped, inside a phrase, analysed like the indexed names (lower case, accents
     * folded, words), each word matching a prefix of consecutive words of the name. Never query syntax.
     */
    static String phrase(String field, String text) {
        return field + ":\"" + ClientUtils.escapeQueryChars(text) + "\"";
    }

    /** Text of only punctuation or symbols analyses to nothing and can match no name. */
    private static boolean hasWords(String text) {
        return text.codePoints().anyMatch(Character::isLetterOrDigit);
    }
}
