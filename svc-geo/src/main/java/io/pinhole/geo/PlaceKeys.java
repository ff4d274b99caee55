package io.pinhole.geo;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How named locations become places: the same normalized name within {@value #SAME_PLACE_KM} km is one place.
 *
 * <p>A place's ID is derived from its normalized name and the grid cell (about 100 m square) of the first location
 * posted with that name there, so two posts resolving the same new place at the same moment write the same
 * document instead of two. To find the place a new location belongs to, the indexer reads, by real-time get (which
 * sees documents not yet searchable), the IDs this name would have in the cells around the point: no search, so no
 * commit lag can split a place in two.
 */
final class PlaceKeys {

    /** Locations with the same normalized name closer than this are one place ("about 100 m"). */
    static final double SAME_PLACE_KM = 0.15;
    /** Grid cell edge; at least {@link #SAME_PLACE_KM}'s reach is covered by the cells around a point. */
    private static final double CELL_KM = 0.1;
    /** Solr's mean earth radius (LatLonPointSpatialField, geodist()), so our distances agree with Solr's. */
    static final double EARTH_RADIUS_KM = 6371.0087714;
    private static final double KM_PER_DEGREE = Math.PI * EARTH_RADIUS_KM / 180;
    private static final double CELL_DEG_LAT = CELL_KM / KM_PER_DEGREE;
    static final int MAX_NAME_LENGTH = 100;

    private PlaceKeys() {}

    /** Lower case, accents and other marks removed, whitespace collapsed: "  Café  de Flore" → "cafe de flore". */
    static String normalize(String name) {
        final String decomposed = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "");
        return decomposed.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").trim();
    }

    /** The display name as posted, trimmed and cut to {@value #MAX_NAME_LENGTH} code points. */
    static String displayName(String name) {
        final String trimmed = name.strip();
        return trimmed.codePointCount(0, trimmed.length()) <= MAX_NAME_LENGTH ? trimmed
                : trimmed.substring(0, trimmed.offsetByCodePoints(0, MAX_NAME_LENGTH));
    }

    /** The ID a new place named {@code key} at the point gets. */
    static long newPlaceId(String key, double lat, double lng) {
        final long row = row(lat);
        return id(key, row, column(row, lng));
    }

    /** Every ID a place named {@code key} within {@value #SAME_PLACE_KM} km of the point may have. */
    static List<Long> candidateIds(String key, double lat, double lng) {
        final List<Long> ids = new ArrayList<>();
        final long row = row(lat);
        final int reachRows = (int) Math.ceil(SAME_PLACE_KM / CELL_KM);
        final double cos = Math.max(Math.cos(Math.toRadians(Math.min(89.9, Math.abs(lat) + reachRows * CELL_DEG_LAT))), 1e-3);
        final double reachLng = SAME_PLACE_KM / (KM_PER_DEGREE * cos);
        for (long r = row - reachRows; r <= row + reachRows; r++) {
            final long from = column(r, lng - reachLng);
            final long to = column(r, lng + reachLng);
            for (long c = from; c <= to && c - from < 64; c++) {
                ids.add(id(key, r, c));
            }
        }
        return ids;
    }

    /** Great-circle distance in kilometres (haversine, Solr's earth radius). */
    static double distanceKm(double lat1, double lng1, double lat2, double lng2) {
        final double dLat = Math.toRadians(lat2 - lat1);
        final double dLng = Math.toRadians(lng2 - lng1);
        final double a = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(Math.toRadians(lat1))
                * Math.cos(Math.toRadians(lat2)) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
    }

    private static long row(double lat) {
        return (long) Math.floor(lat / CELL_DEG_LAT);
    }

    /** Columns are about {@value #CELL_KM} km wide at the row's latitude (narrower in degrees near the equator). */
    private static long column(long row, double lng) {
        final double rowLat = Math.min(89.9, Math.abs((row + 0.5) * CELL_DEG_LAT));
        final double width = CELL_DEG_LAT / Math.max(Math.cos(Math.toRadians(rowLat)), 1e-3);
        return (long) Math.floor(lng / width);
    }

    private static long id(String key, long row, long column) {
        try {
            final byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((key + "\u0000" + row + "\u0000" + column).getBytes(StandardCharsets.UTF_8));
            final long id = ByteBuffer.wrap(digest).getLong() & Long.MAX_VALUE;
            return id == 0 ? 1 : id;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
