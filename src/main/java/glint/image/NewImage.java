package glint.image;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The writable attributes of a {@code POST /v2/images} body, already checked against the image schema. */
public record NewImage(
        Optional<String> id,
        Optional<String> name,
        Optional<Visibility> visibility,
        Optional<Boolean> isProtected,
        Optional<Boolean> osHidden,
        Optional<String> owner,
        Optional<String> diskFormat,
        Optional<String> containerFormat,
        Optional<Integer> minDisk,
        Optional<Integer> minRam,
        List<String> tags,
        Map<String, String> properties) {

    public NewImage {
        tags = List.copyOf(tags);
        properties = Map.copyOf(properties);
    }
}
