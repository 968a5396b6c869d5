package app

import (
	"context"
	"crypto/rand"
	"strings"

	"assure/domain"
	"assure/store"
)

// user loads a user the actor may see and checks act on them.
func (a *App) user(ctx context.Context, actor domain.Actor, id, act string) (domain.User, error) {
	if err := a.permit(ctx, actor, "user", act); err != nil {
		return domain.User{}, err
	}
	u, err := a.db.User(ctx, actor, id)
	if err != nil {
		return u, err
	}
	return u, a.permitOn(ctx, actor, u.ProviderID, "user", act, "user")
}

// CreateUser creates a user: admins any, a provider_admin editors of its own
// provider. A supervisor, admin or auditor is not created but requested
// (the request comes back, the user is zero): the account exists only once
// another administrator approves, who then receives its temporary password;
// such a request must come without a password (EInvalid).
//
// On a server that sends e-mail, nobody chooses another's password: a
// creation comes without one (EInvalid otherwise) and invites the user, as
// Invite does. The system (the command line, seeding) still sets passwords.
func (a *App) CreateUser(ctx context.Context, actor domain.Actor, nu store.NewUser) (domain.User, *domain.IdentityRequest, error) {
	if a.MailOn() && !actor.IsSystem() {
		return a.Invite(ctx, actor, nu)
	}
	if err := a.permit(ctx, actor, "user", "create"); err != nil {
		return domain.User{}, nil, err
	}
	if err := a.permitOn(ctx, actor, nu.ProviderID, "user", "create", "provider"); err != nil {
		return domain.User{}, nil, err
	}
	if a.CreationNeedsApproval(nu) {
		if nu.Password != "" {
			return domain.User{}, nil, domain.Invalid("the user cannot be requested so", []domain.Problem{{Location: "body.password",
				Message: "must be absent: the administrator who approves receives a temporary password"}})
		}
		r, err := a.db.FileIdentityRequest(ctx, actor, store.NewIdentityRequest{Kind: domain.RequestUserCreate,
			Change: domain.IdentityChange{Email: nu.Email, Name: &nu.Name, Role: &nu.Role, ProviderID: &nu.ProviderID,
				Language: nu.Language}})
		if err != nil {
			return domain.User{}, nil, err
		}
		return domain.User{}, &r, nil
	}
	u, err := a.db.CreateUser(ctx, actor, nu)
	return u, nil, err
}

// CreationNeedsApproval reports whether creating nu waits for a second
// administrator.
func (a *App) CreationNeedsApproval(nu store.NewUser) bool {
	return domain.NeedsSecondAdmin(domain.RequestUserCreate, domain.User{}, domain.User{Role: nu.Role, ProviderID: nu.ProviderID})
}

// fileOrApply files a request of kind about before when the change to after
// is privileged, and reports whether it did.
func (a *App) fileOrApply(ctx context.Context, actor domain.Actor, kind domain.IdentityRequestKind, before, after domain.User,
	ch domain.IdentityChange, ifVersion int) (*domain.IdentityRequest, error) {
	if !domain.NeedsSecondAdmin(kind, before, after) {
		return nil, nil
	}
	r, err := a.db.FileIdentityRequest(ctx, actor, store.NewIdentityRequest{Kind: kind, TargetID: before.ID,
		Change: ch, IfVersion: ifVersion})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Users lists users by email; a provider_admin sees its own provider's only.
func (a *App) Users(ctx context.Context, actor domain.Actor, f store.UserFilter, page store.Page) ([]domain.User, string, error) {
	if err := a.permit(ctx, actor, "user", "read"); err != nil {
		return nil, "", err
	}
	return a.db.Users(ctx, actor, f, page)
}

// User returns one user the actor may read.
func (a *App) User(ctx context.Context, actor domain.Actor, id string) (domain.User, error) {
	return a.user(ctx, actor, id, "read")
}

// UpdateUser changes a user's name, role, provider or status at ifVersion.
// A change that is privileged (domain.NeedsSecondAdmin) is filed whole as a
// request instead, returned with the user unchanged.
func (a *App) UpdateUser(ctx context.Context, actor domain.Actor, id string, ch store.UserChange, ifVersion int) (domain.User, *domain.IdentityRequest, error) {
	before, err := a.user(ctx, actor, id, "update")
	if err != nil {
		return domain.User{}, nil, err
	}
	change := ch.IdentityChange()
	kind := domain.RequestUserChange
	if change.Status != nil && *change.Status == domain.UserActive && change.Name == nil && change.Role == nil && change.ProviderID == nil {
		kind = domain.RequestUserEnable
	}
	r, err := a.fileOrApply(ctx, actor, kind, before, domain.ApplyUserChange(before, change), change, ifVersion)
	if err != nil || r != nil {
		return before, r, err
	}
	u, err := a.db.UpdateUser(ctx, actor, id, ch, ifVersion)
	return u, nil, err
}

// DisableUser stops a user signing in and revokes every session and token.
func (a *App) DisableUser(ctx context.Context, actor domain.Actor, id string) (domain.User, error) {
	u, err := a.user(ctx, actor, id, "disable")
	if err != nil {
		return domain.User{}, err
	}
	if u.ID == actor.UserID {
		return u, domain.Errorf(domain.EConflict, "you cannot disable your own account; ask another administrator")
	}
	return a.db.DisableUser(ctx, actor, id)
}

// ResetPassword sets a user's password and revokes their sessions and
// tokens. For a supervisor, admin or auditor it files a request instead,
// which must come without a password (EInvalid): the administrator who
// approves receives a temporary one. On a server that sends e-mail the
// reset comes without a password (EInvalid otherwise): the user's password
// stops working and they are e-mailed a link to choose a new one, at once
// or once the request is approved.
func (a *App) ResetPassword(ctx context.Context, actor domain.Actor, id, password string) (*domain.IdentityRequest, error) {
	u, err := a.user(ctx, actor, id, "reset_password")
	if err != nil {
		return nil, err
	}
	if a.MailOn() && !actor.IsSystem() {
		if password != "" {
			return nil, errChosenPassword
		}
		if domain.NeedsSecondAdmin(domain.RequestPasswordReset, u, u) {
			return a.fileOrApply(ctx, actor, domain.RequestPasswordReset, u, u, domain.IdentityChange{}, 0)
		}
		return nil, a.db.ResetPasswordByLink(ctx, actor, id)
	}
	if domain.NeedsSecondAdmin(domain.RequestPasswordReset, u, u) {
		if password != "" {
			return nil, domain.Invalid("the password cannot be set so", []domain.Problem{{Location: "body.password",
				Message: "must be absent for a supervisor, admin or auditor: the administrator who approves receives a temporary password"}})
		}
		return a.fileOrApply(ctx, actor, domain.RequestPasswordReset, u, u, domain.IdentityChange{}, 0)
	}
	return nil, a.db.ResetPassword(ctx, actor, id, password)
}

// ResetTOTP removes a user's second factor and revokes their sessions and
// tokens; for a supervisor, admin or auditor it files a request instead.
func (a *App) ResetTOTP(ctx context.Context, actor domain.Actor, id string) (*domain.IdentityRequest, error) {
	u, err := a.user(ctx, actor, id, "reset_totp")
	if err != nil {
		return nil, err
	}
	r, err := a.fileOrApply(ctx, actor, domain.RequestSecondFactorReset, u, u, domain.IdentityChange{}, 0)
	if err != nil || r != nil {
		return r, err
	}
	return nil, a.db.ResetTOTP(ctx, actor, id)
}

// UnlockUser clears the sign-in throttle of a user's account, from every
// address, and the counters of its password change and second factor: for
// an owner who cannot wait out a lock. EForbidden for roles that may not,
// ENotFound for a user the actor may not see.
func (a *App) UnlockUser(ctx context.Context, actor domain.Actor, id string) error {
	if _, err := a.user(ctx, actor, id, "unlock"); err != nil {
		return err
	}
	return a.db.UnlockSignIn(ctx, actor, id)
}

// EnableUser lets a disabled user sign in again; whoever may disable a user
// may undo it. Their old sessions and tokens stay revoked. Re-enabling a
// supervisor, admin or auditor files a request instead.
func (a *App) EnableUser(ctx context.Context, actor domain.Actor, id string) (domain.User, *domain.IdentityRequest, error) {
	u, err := a.user(ctx, actor, id, "enable")
	if err != nil {
		return domain.User{}, nil, err
	}
	active := domain.UserActive
	r, err := a.fileOrApply(ctx, actor, domain.RequestUserEnable, u, domain.ApplyUserChange(u, domain.IdentityChange{Status: &active}),
		domain.IdentityChange{Status: &active}, 0)
	if err != nil || r != nil {
		return u, r, err
	}
	u, err = a.db.EnableUser(ctx, actor, id)
	return u, nil, err
}

// ResetPasswordGenerated gives a user a new temporary password, made here
// so that nobody has to invent one, and returns it to be shown once. The
// user must change it at their next sign-in; their sessions and tokens are
// revoked.
// For a supervisor, admin or auditor no password is made now: the request
// filed comes back instead, and the approver receives the password. On a
// server that sends e-mail no password is made at all: the user is e-mailed
// a link (see ResetPassword), and the password comes back empty.
func (a *App) ResetPasswordGenerated(ctx context.Context, actor domain.Actor, id string) (string, *domain.IdentityRequest, error) {
	u, err := a.user(ctx, actor, id, "reset_password")
	if err != nil {
		return "", nil, err
	}
	if domain.NeedsSecondAdmin(domain.RequestPasswordReset, u, u) || a.MailOn() {
		r, err := a.ResetPassword(ctx, actor, id, "")
		return "", r, err
	}
	password := TemporaryPassword()
	if _, err := a.ResetPassword(ctx, actor, id, password); err != nil {
		return "", nil, err
	}
	return password, nil, nil
}

// temporaryWords is the alphabet of temporary passwords: lower-case letters
// and digits without the ones easily confused (l, 1, o, 0), so a password
// read out over the telephone survives.
const temporaryWords = "abcdefghijkmnpqrstuvwxyz23456789"

// TemporaryPassword returns a random password of five groups of four
// characters (about 100 bits), for a first sign-in or a reset.
func TemporaryPassword() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic("app: no randomness: " + err.Error())
	}
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(temporaryWords[int(c)%len(temporaryWords)])
	}
	return s.String()
}

// UserCounts returns how many users the actor may read, active and disabled.
func (a *App) UserCounts(ctx context.Context, actor domain.Actor) (active, disabled int, err error) {
	if err := a.permit(ctx, actor, "user", "read"); err != nil {
		return 0, 0, err
	}
	return a.db.UserCounts(ctx, actor)
}

// UserActions says what actor may do to user u, as the policy, the role
// limits and u's state allow; the pages offer exactly these.
type UserActions struct {
	Change, Disable, Enable, ResetPassword, ResetTOTP, Unlock bool
	// These say which of the acts above wait for another administrator.
	EnableNeedsApproval, ResetPasswordNeedsApproval, ResetTOTPNeedsApproval bool
	// ChangeNeedsApproval: any change of role or provider of this user waits,
	// because the user holds a privileged role now.
	ChangeNeedsApproval bool
}

// UserActionsOn returns what actor may do to u.
func (a *App) UserActionsOn(actor domain.Actor, u domain.User) UserActions {
	if domain.CheckUserManagement(actor, u.Role, u.ProviderID) != nil {
		return UserActions{}
	}
	active := u
	active.Status = domain.UserActive
	return UserActions{
		EnableNeedsApproval:        domain.NeedsSecondAdmin(domain.RequestUserEnable, u, active),
		ResetPasswordNeedsApproval: domain.NeedsSecondAdmin(domain.RequestPasswordReset, u, u),
		ResetTOTPNeedsApproval:     domain.NeedsSecondAdmin(domain.RequestSecondFactorReset, u, u),
		ChangeNeedsApproval:        domain.PrivilegedRole(u.Role),
		Change:                     a.OffersEveryProvider(actor, "user", "update"),
		Disable:                    u.Status == domain.UserActive && u.ID != actor.UserID && a.Offers(actor, "user", "disable"),
		Enable:                     u.Status == domain.UserDisabled && a.Offers(actor, "user", "enable"),
		ResetPassword:              a.Offers(actor, "user", "reset_password"),
		ResetTOTP:                  (u.TOTPEnabled || u.Passkeys > 0) && a.Offers(actor, "user", "reset_totp"),
		Unlock:                     a.Offers(actor, "user", "unlock"),
	}
}
