package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

const userColumns = `u.id::text, u.email, u.name, u.role, coalesce(u.provider_id::text, ''), u.status,
	u.totp_confirmed_at is not null, coalesce(u.language, ''), u.must_change_password, u.created_at, u.updated_at, u.version,
	(select count(*)::int from passkeys p where p.user_id = u.id), u.password_hash = ''`

func scanUser(row pgx.CollectableRow) (domain.User, error) {
	var u domain.User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.ProviderID, &u.Status, &u.TOTPEnabled,
		&u.Language, &u.MustChangePassword, &u.CreatedAt, &u.UpdatedAt, &u.Version, &u.Passkeys, &u.AwaitingPassword)
	return u, err
}

// NewUser is what it takes to create a user.
type NewUser struct {
	Email      string
	Name       string
	Role       domain.Role
	ProviderID string
	Password   string
	// Language is the account's language ("" follows the browser), which
	// its e-mails are written in too.
	Language string
	// Bootstrap marks the system's direct creation of a privileged user while
	// no active admin exists (who would otherwise approve it): refused
	// (EConflict) once one does, and audited as a bootstrap.
	Bootstrap bool
}

// CreateUser creates a user on behalf of actor. EInvalid lists every problem
// of the input; EForbidden when actor may not manage such a user; EConflict
// when the email is taken.
func (db *DB) CreateUser(ctx context.Context, actor domain.Actor, nu NewUser) (domain.User, error) {
	nu, err := checkNewUser(actor, nu, true)
	if err != nil {
		return domain.User{}, err
	}
	hash, err := domain.HashPassword(nu.Password)
	if err != nil {
		return domain.User{}, err
	}
	var u domain.User
	err = db.write(ctx, "create user", func(t *txn) error {
		var extra map[string]any
		if nu.Bootstrap {
			if err := noActiveAdmin(ctx, t, actor); err != nil {
				return err
			}
			extra = map[string]any{"bootstrap": true}
		}
		var err error
		u, err = createUser(ctx, t, actor, nu, hash, !actor.IsSystem(), extra)
		return err
	})
	return u, err
}

// noActiveAdmin allows a bootstrap: the system acting while no admin may
// sign in. It locks the admins' rows so a concurrent promotion waits.
func noActiveAdmin(ctx context.Context, t *txn, actor domain.Actor) error {
	if !actor.IsSystem() {
		return domain.Errorf(domain.EForbidden, "only the system bootstraps users")
	}
	rows, err := t.Query(ctx, `select id from users where role = 'admin' and status = 'active' for update`)
	if err != nil {
		return err
	}
	admins, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	if len(admins) > 0 {
		return domain.Errorf(domain.EConflict, "an active admin exists: a supervisor, admin or auditor is now requested and approved by an admin")
	}
	return nil
}

// checkNewUser normalizes a new user and returns every problem of it, its
// password included when withPassword, and whether actor may manage it.
func checkNewUser(actor domain.Actor, nu NewUser, withPassword bool) (NewUser, error) {
	nu.Email = domain.NormalizeEmail(nu.Email)
	nu.Name = strings.TrimSpace(nu.Name)
	problems := domain.CheckUser(nu.Email, nu.Name, nu.Role, nu.ProviderID)
	if withPassword {
		problems = append(problems, domain.CheckPassword("body.password", nu.Password, nu.Email)...)
	}
	if nu.ProviderID != "" && !isUUID(nu.ProviderID) {
		problems = append(problems, domain.Problem{Location: "body.provider_id", Message: "must be a provider id"})
	}
	if nu.Language != "" && !domain.Language(nu.Language).Valid() {
		problems = append(problems, domain.Problem{Location: "body.language", Message: "must be en or fr"})
	}
	if len(problems) > 0 {
		return nu, domain.Invalid("the user cannot be created", problems)
	}
	return nu, domain.CheckUserManagement(actor, nu.Role, nu.ProviderID)
}

// createUser inserts a checked new user with a password hash ("" for an
// invited user, who has none yet) and records user.create, with extra in
// its summary. An email taken by a user or reserved by a pending creation
// request is EConflict.
func createUser(ctx context.Context, t *txn, actor domain.Actor, nu NewUser, hash string, mustChange bool, extra map[string]any) (domain.User, error) {
	if nu.ProviderID != "" {
		if err := providerExists(ctx, t, nu.ProviderID, actor); err != nil {
			return domain.User{}, err
		}
	}
	if err := emailFree(ctx, t, nu.Email); err != nil {
		return domain.User{}, err
	}
	// A password chosen by another person is changed at the first sign-in;
	// the system (bootstrap, seeding) sets passwords people chose themselves.
	rows, err := t.Query(ctx, `insert into users as u (email, name, role, provider_id, password_hash, must_change_password, language)
		values ($1, $2, $3, $4, $5, $6, $7)
		on conflict (email) do nothing
		returning `+userColumns, nu.Email, nu.Name, nu.Role, nullable(nu.ProviderID), hash, mustChange && hash != "",
		nullable(nu.Language))
	if err != nil {
		return domain.User{}, err
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanUser)
	if err == pgx.ErrNoRows {
		return u, domain.Errorf(domain.EConflict, "a user with email %s already exists", nu.Email)
	}
	if err != nil {
		return u, err
	}
	summary := map[string]any{"email": u.Email, "name": u.Name, "role": u.Role, "provider_id": u.ProviderID}
	for k, v := range extra {
		summary[k] = v
	}
	return u, t.record(actor, "user.create", "user", u.ID, u.ProviderID, summary)
}

// providerExists checks that a provider the actor may see exists.
func providerExists(ctx context.Context, t *txn, id string, actor domain.Actor) error {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return err
	}
	var ok bool
	err = t.QueryRow(ctx, `select exists (select 1 from providers where id = $1 and ($2 = '*' or id = nullif($2, '*')::uuid))`,
		id, scope).Scan(&ok)
	if err != nil {
		return err
	}
	if !ok {
		return domain.Invalid("no such provider", []domain.Problem{{Location: "body.provider_id", Message: "no provider has this id"}})
	}
	return nil
}

// UserFilter narrows a list of users. Every field is optional.
type UserFilter struct {
	Role       domain.Role
	Status     domain.UserStatus
	ProviderID string
	Query      string // part of an email or name
}

// Users lists users by email. Provider users see only their own provider's.
func (db *DB) Users(ctx context.Context, actor domain.Actor, f UserFilter, page Page) ([]domain.User, string, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return nil, "", err
	}
	after := ""
	if _, err := decodeCursor(page.Cursor, &after); err != nil {
		return nil, "", err
	}
	if f.ProviderID != "" && !isUUID(f.ProviderID) {
		return nil, "", domain.Invalid("bad user filter", []domain.Problem{{Location: "query.provider", Message: "must be a provider id"}})
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select `+userColumns+` from users u
		where u.email > $1
		and ($2 = '*' or u.provider_id = nullif($2, '*')::uuid)
		and ($3 = '' or u.role = $3)
		and ($4 = '' or u.status = $4)
		and ($5 = '' or u.provider_id = nullif($5, '')::uuid)
		and ($6 = '' or strpos(u.email, lower($6)) > 0 or strpos(lower(u.name), lower($6)) > 0)
		order by u.email limit $7`,
		after, scope, f.Role, f.Status, f.ProviderID, f.Query, limit+1)
	if err != nil {
		return nil, "", translate(err, "list users")
	}
	list, err := pgx.CollectRows(rows, scanUser)
	if err != nil {
		return nil, "", translate(err, "list users")
	}
	list, next := pageOf(list, limit, func(u domain.User) []any { return []any{u.Email} })
	return list, next, nil
}

// User returns one user the actor may see; ENotFound otherwise.
func (db *DB) User(ctx context.Context, actor domain.Actor, id string) (domain.User, error) {
	return getUser(ctx, db.pool, actor, id, false)
}

// querier is what both a pool and a transaction offer.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func getUser(ctx context.Context, q querier, actor domain.Actor, id string, lock bool) (domain.User, error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return domain.User{}, err
	}
	if !isUUID(id) {
		return domain.User{}, domain.Errorf(domain.ENotFound, "no such user")
	}
	sql := `select ` + userColumns + ` from users u where u.id = $1 and ($2 = '*' or u.provider_id = nullif($2, '*')::uuid)`
	if lock {
		sql += ` for update`
	}
	rows, err := q.Query(ctx, sql, id, scope)
	if err != nil {
		return domain.User{}, err
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanUser)
	if err == pgx.ErrNoRows {
		return u, domain.Errorf(domain.ENotFound, "no such user")
	}
	return u, err
}

// UserByEmail returns the user with email, for the command line.
func (db *DB) UserByEmail(ctx context.Context, email string) (domain.User, error) {
	rows, err := db.pool.Query(ctx, `select `+userColumns+` from users u where u.email = $1`, domain.NormalizeEmail(email))
	if err != nil {
		return domain.User{}, translate(err, "get user %s", email)
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanUser)
	if err == pgx.ErrNoRows {
		return u, domain.Errorf(domain.ENotFound, "no user has email %s", email)
	}
	return u, translate(err, "get user %s", email)
}

// CountUsers returns how many users exist.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `select count(*) from users`).Scan(&n)
	return n, translate(err, "count users")
}

// UserChange is a partial update of a user; nil fields stay as they are.
type UserChange struct {
	Name       *string
	Role       *domain.Role
	ProviderID *string
	Status     *domain.UserStatus
}

// UpdateUser changes a user's name, role, provider or status. ifVersion, when
// not zero, must match the user's version (EPrecondition otherwise). The last
// active admin can be neither demoted nor disabled (EConflict). Disabling a
// user revokes every session and token.
func (db *DB) UpdateUser(ctx context.Context, actor domain.Actor, id string, ch UserChange, ifVersion int) (domain.User, error) {
	var u domain.User
	err := db.write(ctx, "update user", func(t *txn) error {
		var err error
		u, err = updateUser(ctx, t, actor, id, ch.IdentityChange(), ifVersion, nil)
		return err
	})
	return u, err
}

// IdentityChange is the change as a request would carry it.
func (ch UserChange) IdentityChange() domain.IdentityChange {
	return domain.IdentityChange{Name: ch.Name, Role: ch.Role, ProviderID: ch.ProviderID, Status: ch.Status}
}

// updateUser applies a checked change to the user under its row lock and
// records its event, with extra in the summary.
func updateUser(ctx context.Context, t *txn, actor domain.Actor, id string, ch domain.IdentityChange, ifVersion int, extra map[string]any) (domain.User, error) {
	before, err := getUser(ctx, t, actor, id, true)
	if err != nil {
		return domain.User{}, err
	}
	if ifVersion != 0 && ifVersion != before.Version {
		return domain.User{}, domain.Errorf(domain.EPrecondition, "user %s has changed since version %d (now %d); reload and retry",
			id, ifVersion, before.Version)
	}
	after := domain.ApplyUserChange(before, ch)
	if err := checkUserChange(ctx, t, actor, before, after); err != nil {
		return domain.User{}, err
	}
	if len(diff(userSummary(before), userSummary(after))) == 0 {
		return before, nil // nothing changes: no new version, no event
	}
	rows, err := t.Query(ctx, `update users u set name = $2, role = $3, provider_id = $4, status = $5,
		updated_at = now(), version = version + 1 where id = $1 returning `+userColumns,
		id, after.Name, after.Role, nullable(after.ProviderID), after.Status)
	if err != nil {
		return domain.User{}, err
	}
	u, err := pgx.CollectExactlyOneRow(rows, scanUser)
	if err != nil {
		return u, err
	}
	changes := diff(userSummary(before), userSummary(u))
	if len(changes) == 0 {
		return u, nil
	}
	action := "user.update"
	switch {
	case before.Status != u.Status && u.Status == domain.UserDisabled:
		action = "user.disable"
		if err := revokeTokens(ctx, t, id, "user disabled"); err != nil {
			return u, err
		}
	case before.Status != u.Status && u.Status == domain.UserActive:
		action = "user.enable"
	case before.Role != u.Role:
		action = "user.role_change"
	}
	summary := map[string]any{"changes": changes}
	for k, v := range extra {
		summary[k] = v
	}
	return u, t.record(actor, action, "user", u.ID, firstNonEmpty(u.ProviderID, before.ProviderID), summary)
}

// checkUserChange returns the problems of taking before to after: invalid
// fields, a user actor may not manage, an unknown provider, the last admin.
func checkUserChange(ctx context.Context, t *txn, actor domain.Actor, before, after domain.User) error {
	problems := domain.CheckUser(after.Email, after.Name, after.Role, after.ProviderID)
	if !after.Status.Valid() {
		problems = append(problems, domain.Problem{Location: "body.status", Message: "must be active or disabled"})
	}
	if after.ProviderID != "" && !isUUID(after.ProviderID) {
		problems = append(problems, domain.Problem{Location: "body.provider_id", Message: "must be a provider id"})
	}
	if len(problems) > 0 {
		return domain.Invalid("the user cannot be changed so", problems)
	}
	if err := domain.CheckUserManagement(actor, before.Role, before.ProviderID); err != nil {
		return err
	}
	if err := domain.CheckUserManagement(actor, after.Role, after.ProviderID); err != nil {
		return err
	}
	if after.ProviderID != "" && after.ProviderID != before.ProviderID {
		if err := providerExists(ctx, t, after.ProviderID, actor); err != nil {
			return err
		}
	}
	if err := keepOneAdmin(ctx, t, before, after); err != nil {
		return err
	}
	return nil
}

// DisableUser disables a user and revokes every session and token.
func (db *DB) DisableUser(ctx context.Context, actor domain.Actor, id string) (domain.User, error) {
	disabled := domain.UserDisabled
	return db.UpdateUser(ctx, actor, id, UserChange{Status: &disabled}, 0)
}

// EnableUser lets a disabled user sign in again. Their old sessions and
// tokens stay revoked: they sign in afresh. Enabling an active user changes
// nothing and records no event.
func (db *DB) EnableUser(ctx context.Context, actor domain.Actor, id string) (domain.User, error) {
	active := domain.UserActive
	return db.UpdateUser(ctx, actor, id, UserChange{Status: &active}, 0)
}

// keepOneAdmin refuses a change that would leave no active admin. It locks
// every active admin row, so two concurrent demotions cannot both pass.
func keepOneAdmin(ctx context.Context, t *txn, before, after domain.User) error {
	wasAdmin := before.Role == domain.RoleAdmin && before.Status == domain.UserActive
	isAdmin := after.Role == domain.RoleAdmin && after.Status == domain.UserActive
	if !wasAdmin || isAdmin {
		return nil
	}
	rows, err := t.Query(ctx, `select id from users where role = 'admin' and status = 'active' for update`)
	if err != nil {
		return err
	}
	admins, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	if len(admins) <= 1 {
		return domain.Errorf(domain.EConflict, "%s is the last active admin; make another admin first", before.Email)
	}
	return nil
}

func userSummary(u domain.User) map[string]any {
	return map[string]any{"name": u.Name, "role": string(u.Role), "provider_id": u.ProviderID, "status": string(u.Status)}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// revokeTokens revokes every live session and token of a user.
func revokeTokens(ctx context.Context, t *txn, userID, why string) error {
	_, err := t.Exec(ctx, `update tokens set revoked_at = now(), revoked_why = $2
		where user_id = $1 and revoked_at is null`, userID, why)
	if err != nil {
		return fmt.Errorf("revoke tokens: %w", err)
	}
	return nil
}

// ResetPassword sets a new password for a user (an admin's act) and revokes
// every session and token of that user.
func (db *DB) ResetPassword(ctx context.Context, actor domain.Actor, id, password string) error {
	u, err := db.User(ctx, actor, id)
	if err != nil {
		return err
	}
	if problems := domain.CheckPassword("body.password", password, u.Email); len(problems) > 0 {
		return domain.Invalid("the password cannot be used", problems)
	}
	if err := domain.CheckUserManagement(actor, u.Role, u.ProviderID); err != nil {
		return err
	}
	hash, err := domain.HashPassword(password)
	if err != nil {
		return err
	}
	return db.write(ctx, "reset password", func(t *txn) error {
		return setPassword(ctx, t, actor, u, hash, !actor.IsSystem(), "user.password_reset")
	})
}

// setPassword stores a new password hash, says whether it must be changed at
// the next sign-in, and revokes the user's sessions, tokens and waiting
// links.
func setPassword(ctx context.Context, t *txn, actor domain.Actor, u domain.User, hash string, mustChange bool, action string) error {
	tag, err := t.Exec(ctx, `update users set password_hash = $2, password_changed_at = now(), must_change_password = $3,
		updated_at = now(), version = version + 1 where id = $1`, u.ID, hash, mustChange)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return domain.Errorf(domain.ENotFound, "no such user")
	}
	if err := revokeTokens(ctx, t, u.ID, "password changed"); err != nil {
		return err
	}
	// A new password ends every invitation and reset link still waiting.
	if _, err := t.Exec(ctx, `update link_tokens set revoked_at = now()
		where user_id = $1 and used_at is null and revoked_at is null`, u.ID); err != nil {
		return err
	}
	return t.record(actor, action, "user", u.ID, u.ProviderID, map[string]any{"email": u.Email})
}

// ChangePassword changes the actor's own password after checking the current
// one, and revokes every session and token of the actor, this one included.
// Wrong current passwords are throttled on the account's password-change
// counter, never on its sign-in counters.
func (db *DB) ChangePassword(ctx context.Context, actor domain.Actor, current, next string) error {
	if current == next {
		return domain.Invalid("the new password is the current one",
			[]domain.Problem{{Location: "body.new_password", Message: "must differ from the current password"}})
	}
	if problems := domain.CheckPassword("body.new_password", next, actor.Email); len(problems) > 0 {
		return domain.Invalid("the password cannot be used", problems)
	}
	u, err := db.User(ctx, actor, actor.UserID)
	if err != nil {
		return err
	}
	hash, err := domain.HashPassword(next)
	if err != nil {
		return err
	}
	return db.throttled(ctx, actor, "user.password_change", passwordChangeKey(u.Email), func(t *txn) (string, error, error) {
		var stored string
		if err := t.QueryRow(ctx, `select password_hash from users where id = $1 for update`, u.ID).Scan(&stored); err != nil {
			return "", nil, err
		}
		if !domain.VerifyPassword(stored, current) {
			return "wrong current password", domain.Invalid("the current password is not right",
				[]domain.Problem{{Location: "body.current_password", Message: "does not match"}}), nil
		}
		return "", nil, setPassword(ctx, t, actor, u, hash, false, "user.password_change")
	}, func() string { return u.ID })
}

// SetLanguage records the actor's own language for the web pages ("" to
// follow the browser).
func (db *DB) SetLanguage(ctx context.Context, actor domain.Actor, language string) error {
	if language != "" && !domain.Language(language).Valid() {
		return domain.Invalid("unknown language", []domain.Problem{{Location: "body.language", Message: "must be en or fr"}})
	}
	return db.write(ctx, "set language", func(t *txn) error {
		if _, err := t.Exec(ctx, `update users set language = nullif($2, '') where id = $1`, actor.UserID, language); err != nil {
			return err
		}
		return t.record(actor, "user.language", "user", actor.UserID, actor.ProviderID, map[string]any{"language": language})
	})
}

// UserCounts returns how many users the actor may see, active and disabled,
// in one query.
func (db *DB) UserCounts(ctx context.Context, actor domain.Actor) (active, disabled int, err error) {
	scope, err := scopeArg(actor.Scope())
	if err != nil {
		return 0, 0, err
	}
	err = db.pool.QueryRow(ctx, `select count(*) filter (where status = 'active'), count(*) filter (where status = 'disabled')
		from users u where ($1 = '*' or u.provider_id = nullif($1, '*')::uuid)`, scope).Scan(&active, &disabled)
	return active, disabled, translate(err, "count users")
}
