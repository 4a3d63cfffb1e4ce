package glint.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.image.Image;
import glint.image.ImageLocation;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Rows of {@code image_locations} (see the V8 migration): an image's locations in order, metadata as JSON text. */
final class LocationRows {
    static final String SELECT = "SELECT image_id, store, location, status, metadata, owned FROM image_locations";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private LocationRows() {}

    static void insert(Connection c, Image image) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        for (ImageLocation l : image.locations()) {
            rows.add(new Object[] {image.id(), rows.size(), l.storeId(), l.key(), l.status(), json(l.metadata()), l.owned(),
                    image.updatedAt().toEpochMilli()});
        }
        RowSql.batch(c, "INSERT INTO image_locations (image_id, position, store, location, "
                + "status, metadata, owned, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows);
    }

    /** A row of {@link #SELECT}. */
    static ImageLocation read(ResultSet r) throws SQLException {
        return new ImageLocation(r.getString(2), r.getString(3), r.getString(4), map(r.getString(5)), r.getBoolean(6));
    }

    /**
     * Whether any live image, or one deleted with {@code delayed_delete} whose data the scrubber has not yet removed
     * ({@code pending_delete}), has Glint's own data at {@code location}.
     */
    static boolean owned(Connection c, String location) throws SQLException {
        return RowSql.exists(c, "SELECT 1 FROM image_locations l JOIN images i ON i.id = l.image_id "
                + "WHERE l.location = ? AND l.owned = ? AND (i.deleted = ? OR i.status = ?)", location, true, false,
                "pending_delete");
    }

    private static String json(Map<String, Object> metadata) throws SQLException {
        try {
            return JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw new SQLException("location metadata is not JSON", e);
        }
    }

    private static Map<String, Object> map(String text) throws SQLException {
        try {
            return text == null || text.isEmpty() ? Map.of() : JSON.readValue(text, MAP);
        } catch (JsonProcessingException e) {
            throw new SQLException("location metadata is not JSON: " + text, e);
        }
    }
}
