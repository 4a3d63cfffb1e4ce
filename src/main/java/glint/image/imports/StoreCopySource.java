package glint.image.imports;

import glint.image.Image;
import glint.image.ImageLocation;
import glint.store.StoreRegistry;
import java.util.Optional;

/** copy-image: the image's data where it already is, in the first of its stores configured on this node. */
public final class StoreCopySource implements ImportSource {
    private final ImportImages images;
    private final StoreRegistry stores;

    public StoreCopySource(ImportImages images, StoreRegistry stores) {
        this.images = images;
        this.stores = stores;
    }

    @Override
    public Data acquire(ImportPlan plan) {
        Image image = images.current(plan.imageId());
        ImageLocation from = image.locations().stream().filter(l -> stores.find(l.storeId()).isPresent())
                .findFirst().orElseThrow(() -> new ImportFailed("Image has no data in any configured store"));
        return new Data(stores.find(from.storeId()).get(), from.key(), image.size().orElseThrow(), Optional.empty());
    }
}
