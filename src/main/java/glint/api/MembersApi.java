package glint.api;

import com.fasterxml.jackson.databind.JsonNode;
import glint.error.GlintException;
import glint.http.Exchange;
import glint.http.Router;
import glint.image.ImageMember;
import glint.image.MemberService;
import glint.image.MemberStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /v2/images/{id}/members}: sharing an image with other projects. */
public final class MembersApi {
    private final MemberService members;

    public MembersApi(MemberService members) {
        this.members = members;
    }

    public void register(Router router) {
        router.add("GET", "/v2/images/{image_id}/members", ex -> ex.sendJson(200, Map.of(
                "members", members.list(ex.context(), ex.pathParam("image_id")).stream().map(MembersApi::view).toList(),
                "schema", "/v2/schemas/members")));
        router.add("POST", "/v2/images/{image_id}/members", this::add);
        router.add("GET", "/v2/images/{image_id}/members/{member_id}", ex -> ex.sendJson(200,
                view(members.get(ex.context(), ex.pathParam("image_id"), ex.pathParam("member_id")))));
        router.add("PUT", "/v2/images/{image_id}/members/{member_id}", this::update);
        router.add("DELETE", "/v2/images/{image_id}/members/{member_id}", ex -> {
            members.remove(ex.context(), ex.pathParam("image_id"), ex.pathParam("member_id"));
            ex.sendEmpty(204);
        });
    }

    private void add(Exchange ex) {
        JsonNode body = ex.readJson();
        JsonNode member = body.get("member");
        if (member == null || !member.isTextual() || member.asText().isBlank()) {
            throw GlintException.badRequest("Member to be added not specified");
        }
        if (member.asText().length() > 255) {
            throw GlintException.badRequest("Member id is too long");
        }
        // Glance answers 200, not 201, when a member is added
        ex.sendJson(200, view(members.add(ex.context(), ex.pathParam("image_id"), member.asText())));
    }

    private void update(Exchange ex) {
        JsonNode status = ex.readJson().get("status");
        if (status == null) {
            throw GlintException.badRequest("Status not specified");
        }
        MemberStatus parsed = MemberStatus.parse(status.asText()).filter(s -> status.isTextual())
                .orElseThrow(() -> GlintException.badRequest("Incorrect request: Invalid status: " + status));
        ex.sendJson(200, view(members.update(ex.context(), ex.pathParam("image_id"), ex.pathParam("member_id"), parsed)));
    }

    static Map<String, Object> view(ImageMember m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("created_at", ImageView.isoTime(m.createdAt()));
        v.put("image_id", m.imageId());
        v.put("member_id", m.memberId());
        v.put("schema", "/v2/schemas/member");
        v.put("status", m.status().wire());
        v.put("updated_at", ImageView.isoTime(m.updatedAt()));
        return v;
    }
}
