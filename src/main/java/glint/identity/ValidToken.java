package glint.identity;

import glint.identity.IdentityRecords.Domain;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRecords.Role;
import glint.identity.IdentityRecords.User;
import java.util.List;
import java.util.Optional;

/** A token that passed validation, with everything resolved: user, domain, project, effective roles. */
public record ValidToken(String id, Token token, User user, Domain userDomain, Optional<Project> project,
                         Optional<Domain> projectDomain, List<Role> roles) {
    public ValidToken {
        roles = List.copyOf(roles);
    }
}
