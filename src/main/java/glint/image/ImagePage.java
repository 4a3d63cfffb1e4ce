package glint.image;

import java.util.List;
import java.util.Optional;

/** One page of a list, and the marker of the next page when this one was full. */
public record ImagePage(List<Image> images, Optional<String> nextMarker) {
    public ImagePage {
        images = List.copyOf(images);
    }
}
