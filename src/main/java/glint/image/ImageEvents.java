package glint.image;

import glint.auth.RequestContext;
import glint.notify.Notifier;
import glint.notify.Payloads;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The image notifications, with Glance's event types and payloads (glance/notifier.py:
 * {@code format_image_notification}, {@code format_image_member_notification}, {@code ImageProxy.set_data},
 * {@code _format_image_send}). Each is sent after the change it tells of is stored; payloads show the image as stored,
 * every extra property included (Glance's notifier sits inside its property-protection proxy).
 */
public final class ImageEvents {
    /** Tells nobody. */
    public static final ImageEvents NONE = new ImageEvents(Notifier.NONE, Clock.systemUTC(), false);

    private final Notifier notifier;
    private final Clock clock;
    private final boolean multiStore;

    /** @param multiStore {@code enabled_backends} is set: {@code image.prepare} names the store ({@code backend}) */
    public ImageEvents(Notifier notifier, Clock clock, boolean multiStore) {
        this.notifier = notifier;
        this.clock = clock;
        this.multiStore = multiStore;
    }

    public void created(Image image) {
        notifier.info("image.create", payload(image));
    }

    /** {@code image.update}: metadata, status (deactivate, reactivate, saving, importing) or import progress saved. */
    public void updated(Image image) {
        notifier.info("image.update", payload(image));
    }

    /** {@code image.delete}, with status {@code deleted}, or {@code pending_delete} when deleted with delayed_delete. */
    public void deleted(Image image) {
        ImageStatus status = image.status() == ImageStatus.PENDING_DELETE ? ImageStatus.PENDING_DELETE : ImageStatus.DELETED;
        notifier.info("image.delete", Payloads.deleted(payload(image.toBuilder().status(status).build()),
                clock.instant()));
    }

    /** {@code image.prepare}: data is about to be written to {@code store}, named with {@code enabled_backends}. */
    public void preparing(Image image, String store) {
        Map<String, Object> p = withImportProgress(image);
        if (multiStore) {
            p.put("backend", store);
        }
        notifier.info("image.prepare", p);
    }

    /** {@code image.upload}: the data is stored (the image as it is then); {@code activated}: it turned active with it. */
    public void uploaded(Image image, boolean activated) {
        notifier.info("image.upload", withImportProgress(image));
        if (activated) {
            notifier.info("image.activate", payload(image));
        }
    }

    /** {@code image.upload} at ERROR: the data could not be stored; the payload is the message, as Glance's. */
    public void uploadFailed(String message) {
        notifier.error("image.upload", message);
    }

    /** {@code image.send}: a download ended; at ERROR when fewer bytes than {@code expected} went out. */
    public void sent(Image image, RequestContext receiver, long bytes, long expected) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("bytes_sent", bytes);
        p.put("image_id", image.id());
        p.put("owner_id", Payloads.orNull(image.owner()));
        p.put("receiver_tenant_id", receiver.projectId());
        p.put("receiver_user_id", receiver.userId());
        if (bytes == expected) {
            notifier.info("image.send", p);
        } else {
            notifier.error("image.send", p);
        }
    }

    public void memberCreated(ImageMember member) {
        notifier.info("image.member.create", payload(member));
    }

    public void memberUpdated(ImageMember member) {
        notifier.info("image.member.update", payload(member));
    }

    public void memberDeleted(ImageMember member) {
        notifier.info("image.member.delete", Payloads.deleted(payload(member), clock.instant()));
    }

    /** Glance's {@code format_image_notification}; no locations (they may hold credentials). */
    static Map<String, Object> payload(Image i) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", i.id());
        p.put("name", Payloads.orNull(i.name()));
        p.put("status", i.status().wire());
        p.put("created_at", Payloads.isotime(i.createdAt()));
        p.put("updated_at", Payloads.isotime(i.updatedAt()));
        p.put("min_disk", i.minDisk());
        p.put("min_ram", i.minRam());
        p.put("protected", i.isProtected());
        p.put("checksum", Payloads.orNull(i.checksum()));
        p.put("owner", Payloads.orNull(i.owner()));
        p.put("disk_format", Payloads.orNull(i.diskFormat()));
        p.put("container_format", Payloads.orNull(i.containerFormat()));
        p.put("size", Payloads.orNull(i.size()));
        p.put("virtual_size", Payloads.orNull(i.virtualSize()));
        p.put("is_public", i.visibility() == Visibility.PUBLIC);
        p.put("visibility", i.visibility().wire());
        p.put("properties", new TreeMap<>(i.properties()));
        p.put("tags", i.tags().stream().sorted().toList());
        Payloads.live(p);
        return p;
    }

    /** The image's payload with Glance's {@code _format_import_properties}: the import's stores as lists. */
    private static Map<String, Object> withImportProgress(Image i) {
        Map<String, Object> p = payload(i);
        p.put("os_glance_importing_to_stores", storeList(i.properties().get("os_glance_importing_to_stores")));
        p.put("os_glance_failed_import", storeList(i.properties().get("os_glance_failed_import")));
        return p;
    }

    private static List<String> storeList(String value) {
        return value == null || value.isEmpty() ? List.of() : new ArrayList<>(List.of(value.split(",")));
    }

    static Map<String, Object> payload(ImageMember m) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("image_id", m.imageId());
        p.put("member_id", m.memberId());
        p.put("status", m.status().wire());
        Payloads.stampedLive(p, m.createdAt(), m.updatedAt());
        return p;
    }
}
