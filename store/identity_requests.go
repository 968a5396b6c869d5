package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

const requestColumns = `r.id::text, r.kind, coalesce(r.target_user_id::text, ''), r.target_email, r.payload,
	coalesce(r.requested_by::text, ''), r.requested_by_email, r.requested_at, r.expires_at, r.state,
	coalesce(r.decided_by::text, ''), r.decided_by_email, r.decided_at, r.reason`

func scanRequest(row pgx.CollectableRow) (domain.IdentityRequest, error) {
	var r domain.IdentityRequest
	var payload []byte
	var decidedAt *time.Time
	err := row.Scan(&r.ID, &r.Kind, &r.TargetID, &r.TargetEmail, &payload, &r.RequestedBy, &r.RequestedByEmail,
		&r.RequestedAt, &r.ExpiresAt, &r.State, &r.DecidedBy, &r.DecidedByEmail, &decidedAt, &r.Reason)
	if err != nil {
		return r, err
	}
	if decidedAt != nil {
		r.DecidedAt = *decidedAt
	}
	return r, json.Unmarshal(payload, &r.Change)
}

// NewIdentityRequest is a privileged identity change to file for approval.
type NewIdentityRequest struct {
	Kind     domain.IdentityRequestKind
	TargetID string // the user concerned; empty for a creation
	// Change is the creation's email, name, role and provider, or the fields
	// a change or re-enabling sets; empty for a reset.
	Change domain.IdentityChange
	// IfVersion, when not zero, must be the target's version (EPrecondition).
	IfVersion int
	Lifetime  time.Duration // how long it waits; domain.IdentityRequestLifetime when zero
}

// FileIdentityRequest records a privileged identity change that takes
// effect only once another administrator approves it. The change is checked
// now as it would be applied (EInvalid, EForbidden, ENotFound, and
// EConflict for a taken email or the last active admin), and again at
// approval. EConflict when a request of the same kind about the same user or
// email is already pending.
func (db *DB) FileIdentityRequest(ctx context.Context, actor domain.Actor, nr NewIdentityRequest) (domain.IdentityRequest, error) {
	if !slices.Contains(domain.IdentityRequestKinds, nr.Kind) {
		return domain.IdentityRequest{}, domain.Errorf(domain.EInvalid, "unknown identity request kind %q", nr.Kind)
	}
	if nr.Lifetime <= 0 {
		nr.Lifetime = domain.IdentityRequestLifetime
	}
	ch := nr.Change
	if nr.Kind == domain.RequestUserCreate {
		nu, err := checkNewUser(actor, NewUser{Email: ch.Email, Name: deref(ch.Name), Role: derefRole(ch.Role),
			ProviderID: deref(ch.ProviderID), Language: ch.Language}, false)
		if err != nil {
			return domain.IdentityRequest{}, err
		}
		ch = domain.IdentityChange{Email: nu.Email, Name: &nu.Name, Role: &nu.Role, ProviderID: &nu.ProviderID,
			Language: nu.Language}
	}
	var r domain.IdentityRequest
	err := db.write(ctx, "file identity request", func(t *txn) error {
		if err := expireDue(ctx, t); err != nil {
			return err
		}
		targetEmail := ch.Email
		switch nr.Kind {
		case domain.RequestUserCreate:
			if ch.ProviderID != nil && *ch.ProviderID != "" {
				if err := providerExists(ctx, t, *ch.ProviderID, actor); err != nil {
					return err
				}
			}
			if err := emailFree(ctx, t, ch.Email); err != nil {
				return err
			}
		default:
			before, err := getUser(ctx, t, actor, nr.TargetID, true)
			if err != nil {
				return err
			}
			if nr.IfVersion != 0 && nr.IfVersion != before.Version {
				return domain.Errorf(domain.EPrecondition, "user %s has changed since version %d (now %d); reload and retry",
					before.ID, nr.IfVersion, before.Version)
			}
			if err := domain.CheckUserManagement(actor, before.Role, before.ProviderID); err != nil {
				return err
			}
			if nr.Kind == domain.RequestUserEnable || nr.Kind == domain.RequestUserChange {
				if err := checkUserChange(ctx, t, actor, before, domain.ApplyUserChange(before, ch)); err != nil {
					return err
				}
				ch.Version = before.Version
			} else {
				ch = domain.IdentityChange{}
			}
			targetEmail = before.Email
		}
		payload, err := json.Marshal(ch)
		if err != nil {
			return err
		}
		rows, err := t.Query(ctx, `insert into identity_requests as r (kind, target_user_id, target_email, payload,
				requested_by, requested_by_email, expires_at)
			values ($1, $2, $3, $4, $5, $6, now() + $7 * interval '1 second')
			on conflict (kind, target_email) where state = 'pending' do nothing
			returning `+requestColumns,
			nr.Kind, nullable(nr.TargetID), targetEmail, payload, nullable(actor.UserID), actor.Email, seconds(nr.Lifetime))
		if err != nil {
			return err
		}
		r, err = pgx.CollectExactlyOneRow(rows, scanRequest)
		if err == pgx.ErrNoRows {
			return domain.Errorf(domain.EConflict, "a request of this kind about %s is already waiting for approval", targetEmail)
		}
		if err != nil {
			return err
		}
		return t.record(actor, "identity_request.requested", "identity_request", r.ID, "", requestSummary(r, nil))
	})
	return r, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefRole(r *domain.Role) domain.Role {
	if r == nil {
		return ""
	}
	return *r
}

func requestSummary(r domain.IdentityRequest, extra map[string]any) map[string]any {
	s := map[string]any{"kind": r.Kind, "target_email": r.TargetEmail, "target_id": r.TargetID,
		"requested_by": r.RequestedByEmail}
	if r.Change != (domain.IdentityChange{}) {
		s["change"] = r.Change
	}
	for k, v := range extra {
		s[k] = v
	}
	return s
}

// emailFree refuses an email a user has or a pending creation reserves.
func emailFree(ctx context.Context, t *txn, email string) error {
	var user, reserved bool
	err := t.QueryRow(ctx, `select exists (select 1 from users where email = $1),
		exists (select 1 from identity_requests where kind = 'user.create' and state = 'pending'
			and target_email = $1 and expires_at > now())`, email).Scan(&user, &reserved)
	switch {
	case err != nil:
		return err
	case user:
		return domain.Errorf(domain.EConflict, "a user with email %s already exists", email)
	case reserved:
		return domain.Errorf(domain.EConflict, "a user with email %s is waiting for an administrator's approval", email)
	}
	return nil
}

// ExpireIdentityRequests marks every pending request past its expiry as
// expired, one identity_request.expired event each, and returns how many.
// Reads and decisions call it first, so a request is never approved late.
func (db *DB) ExpireIdentityRequests(ctx context.Context) (int, error) {
	var due bool
	if err := db.pool.QueryRow(ctx, `select exists (select 1 from identity_requests
		where state = 'pending' and expires_at <= now())`).Scan(&due); err != nil || !due {
		return 0, translate(err, "expire identity requests")
	}
	n := 0
	err := db.write(ctx, "expire identity requests", func(t *txn) error {
		n = 0
		err := expireDue(ctx, t)
		n = len(t.events)
		return err
	})
	return n, err
}

// expireDue expires the pending requests past their expiry inside t.
func expireDue(ctx context.Context, t *txn) error {
	rows, err := t.Query(ctx, `update identity_requests r set state = 'expired', decided_at = r.expires_at
		where state = 'pending' and expires_at <= now() returning `+requestColumns)
	if err != nil {
		return err
	}
	list, err := pgx.CollectRows(rows, scanRequest)
	if err != nil {
		return err
	}
	for _, r := range list {
		if err := t.record(domain.System("assure:expiry"), "identity_request.expired", "identity_request", r.ID, "",
			requestSummary(r, map[string]any{"expires_at": r.ExpiresAt})); err != nil {
			return err
		}
	}
	return nil
}

// IdentityRequestFilter narrows a list of identity requests; every field is optional.
type IdentityRequestFilter struct {
	State    domain.IdentityRequestState
	TargetID string
}

// IdentityRequests lists identity requests, newest first. Only actors who
// reach every provider see any (they are about regulator accounts).
func (db *DB) IdentityRequests(ctx context.Context, actor domain.Actor, f IdentityRequestFilter, page Page) ([]domain.IdentityRequest, string, error) {
	if f.State != "" && !f.State.Valid() {
		return nil, "", domain.Invalid("bad request filter", []domain.Problem{{Location: "query.state",
			Message: "must be pending, approved, rejected, cancelled or expired"}})
	}
	if f.TargetID != "" && !isUUID(f.TargetID) {
		return nil, "", domain.Invalid("bad request filter", []domain.Problem{{Location: "query.user", Message: "must be a user id"}})
	}
	var afterAt string
	var afterID string
	found, err := decodeCursor(page.Cursor, &afterAt, &afterID)
	if err != nil {
		return nil, "", err
	}
	var at *time.Time
	if found {
		parsed, perr := time.Parse(time.RFC3339Nano, afterAt)
		if perr != nil || !isUUID(afterID) {
			return nil, "", domain.Errorf(domain.EInvalid, "cursor %q is not valid here; use the next value of a previous page", page.Cursor)
		}
		at = &parsed
	}
	if !everywhere(actor) {
		return nil, "", nil
	}
	if _, err := db.ExpireIdentityRequests(ctx); err != nil {
		return nil, "", err
	}
	limit := page.limit()
	rows, err := db.pool.Query(ctx, `select `+requestColumns+` from identity_requests r
		where ($1 = '' or r.state = $1)
		and ($2 = '' or r.target_user_id = nullif($2, '')::uuid)
		and ($3::timestamptz is null or (r.requested_at, r.id) < ($3::timestamptz, $4::uuid))
		order by r.requested_at desc, r.id desc limit $5`,
		string(f.State), f.TargetID, at, nullable(afterID), limit+1)
	if err != nil {
		return nil, "", translate(err, "list identity requests")
	}
	list, err := pgx.CollectRows(rows, scanRequest)
	if err != nil {
		return nil, "", translate(err, "list identity requests")
	}
	list, next := pageOf(list, limit, func(r domain.IdentityRequest) []any {
		return []any{r.RequestedAt.UTC().Format(time.RFC3339Nano), r.ID}
	})
	return list, next, nil
}

// everywhere reports whether the actor reaches every provider.
func everywhere(actor domain.Actor) bool {
	scope, err := scopeArg(actor.Scope())
	return err == nil && scope == "*"
}

// IdentityRequest returns one identity request; ENotFound otherwise.
func (db *DB) IdentityRequest(ctx context.Context, actor domain.Actor, id string) (domain.IdentityRequest, error) {
	if !isUUID(id) || !everywhere(actor) {
		return domain.IdentityRequest{}, domain.Errorf(domain.ENotFound, "no such identity request")
	}
	if _, err := db.ExpireIdentityRequests(ctx); err != nil {
		return domain.IdentityRequest{}, err
	}
	rows, err := db.pool.Query(ctx, `select `+requestColumns+` from identity_requests r where r.id = $1`, id)
	if err != nil {
		return domain.IdentityRequest{}, translate(err, "get identity request")
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanRequest)
	if err == pgx.ErrNoRows {
		return r, domain.Errorf(domain.ENotFound, "no such identity request")
	}
	return r, translate(err, "get identity request")
}

// CountPendingIdentityRequests returns how many requests wait for a decision.
func (db *DB) CountPendingIdentityRequests(ctx context.Context, actor domain.Actor) (int, error) {
	if !everywhere(actor) {
		return 0, nil
	}
	var n int
	err := db.pool.QueryRow(ctx, `select count(*) from identity_requests
		where state = 'pending' and expires_at > now()`).Scan(&n)
	return n, translate(err, "count identity requests")
}

// CountActiveAdmins returns how many admins may sign in, for the command
// line's bootstrap rule.
func (db *DB) CountActiveAdmins(ctx context.Context) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `select count(*) from users where role = 'admin' and status = 'active'`).Scan(&n)
	return n, translate(err, "count admins")
}

// decide locks a pending request, checks it may still be decided and by
// actor (check), and moves it to state.
func decide(ctx context.Context, t *txn, actor domain.Actor, id string, state domain.IdentityRequestState, reason string,
	check func(domain.Actor, domain.IdentityRequest) error) (domain.IdentityRequest, error) {
	if !isUUID(id) {
		return domain.IdentityRequest{}, domain.Errorf(domain.ENotFound, "no such identity request")
	}
	rows, err := t.Query(ctx, `select `+requestColumns+` from identity_requests r where r.id = $1 for update`, id)
	if err != nil {
		return domain.IdentityRequest{}, err
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanRequest)
	if err == pgx.ErrNoRows {
		return r, domain.Errorf(domain.ENotFound, "no such identity request")
	}
	if err != nil {
		return r, err
	}
	if now := time.Now(); r.StateAt(now) != domain.RequestPending {
		e := domain.Errorf(domain.EConflict, "this request is %s; only a pending request can be decided", r.StateAt(now))
		e.Allowed = []string{string(domain.RequestPending)}
		return r, e
	}
	if err := check(actor, r); err != nil {
		return r, err
	}
	rows, err = t.Query(ctx, `update identity_requests r set state = $2, decided_by = $3, decided_by_email = $4,
		decided_at = now(), reason = $5 where r.id = $1 and r.state = 'pending' and r.expires_at > now() returning `+requestColumns,
		id, state, nullable(actor.UserID), actor.Email, reason)
	if err != nil {
		return r, err
	}
	r, err = pgx.CollectExactlyOneRow(rows, scanRequest)
	if err == pgx.ErrNoRows {
		return r, domain.Errorf(domain.EConflict, "this request expired; only a pending request can be decided")
	}
	return r, err
}

// ApproveIdentityRequest applies a pending request on behalf of actor, a
// different administrator than the one who asked and than its target, and
// records both the change and identity_request.approved in one transaction.
// The rules are checked again now: the target's version for a change, the
// last active admin, a free email. password is the temporary password a
// creation or password reset sets (to be changed at first sign-in); used
// says whether it was. Without a password, a creation e-mails the new user
// an invitation and a reset e-mails a link to set a new password (see
// InviteUser and ResetPasswordByLink), and nobody learns one. EConflict for a request no longer pending (rejected,
// cancelled, expired) or that can no longer apply; EForbidden for the
// requester or the target.
func (db *DB) ApproveIdentityRequest(ctx context.Context, actor domain.Actor, id, password string) (r domain.IdentityRequest, u domain.User, used bool, err error) {
	peek, err := db.IdentityRequest(ctx, actor, id)
	if err != nil {
		return peek, u, false, err
	}
	used = (peek.Kind == domain.RequestUserCreate || peek.Kind == domain.RequestPasswordReset) && password != ""
	var hash string
	if used {
		if hash, err = domain.HashPassword(password); err != nil {
			return peek, u, false, err
		}
	}
	err = db.write(ctx, "approve identity request", func(t *txn) error {
		var err error
		if r, err = decide(ctx, t, actor, id, domain.RequestApproved, "", domain.CheckDecider); err != nil {
			return err
		}
		if r.Kind != peek.Kind {
			return domain.Errorf(domain.EConflict, "the request changed while it was read; try again")
		}
		extra := map[string]any{"request_id": r.ID, "requested_by": r.RequestedByEmail}
		switch r.Kind {
		case domain.RequestUserCreate:
			nu := NewUser{Email: r.Change.Email, Name: deref(r.Change.Name), Role: derefRole(r.Change.Role),
				ProviderID: deref(r.Change.ProviderID), Language: r.Change.Language}
			if _, err := checkNewUser(actor, nu, false); err != nil {
				return err
			}
			if hash == "" {
				extra["invited"] = true
			}
			if u, err = createUser(ctx, t, actor, nu, hash, true, extra); err == nil && hash == "" {
				err = invite(ctx, t, actor, u)
			}
		case domain.RequestUserEnable, domain.RequestUserChange:
			u, err = updateUser(ctx, t, actor, r.TargetID, r.Change, r.Change.Version, extra)
			if domain.ErrorCodeOf(err) == domain.EPrecondition {
				err = domain.Errorf(domain.EConflict, "the user has changed since this request was made; reject it and ask again")
			}
		case domain.RequestPasswordReset, domain.RequestSecondFactorReset:
			if u, err = getUser(ctx, t, actor, r.TargetID, true); err != nil {
				return err
			}
			if err := domain.CheckUserManagement(actor, u.Role, u.ProviderID); err != nil {
				return err
			}
			switch {
			case r.Kind == domain.RequestPasswordReset && hash == "":
				err = resetByLink(ctx, t, actor, u)
			case r.Kind == domain.RequestPasswordReset:
				err = setPassword(ctx, t, actor, u, hash, true, "user.password_reset")
			default:
				err = resetSecondFactor(ctx, t, actor, u)
			}
			if err == nil {
				u, err = getUser(ctx, t, actor, r.TargetID, false)
			}
		}
		if err != nil {
			return err
		}
		return t.record(actor, "identity_request.approved", "identity_request", r.ID, "", requestSummary(r, map[string]any{"user_id": u.ID}))
	})
	if err != nil {
		return r, domain.User{}, false, err
	}
	return r, u, used, nil
}

// RejectIdentityRequest refuses a pending request, with an optional reason,
// on behalf of an administrator other than the requester and the target.
// EConflict when it is no longer pending.
func (db *DB) RejectIdentityRequest(ctx context.Context, actor domain.Actor, id, reason string) (domain.IdentityRequest, error) {
	reason = strings.TrimSpace(reason)
	if len(reason) > domain.MaxRequestReason {
		return domain.IdentityRequest{}, domain.Invalid("the reason is too long", []domain.Problem{{Location: "body.reason",
			Message: "must be at most 1000 characters"}})
	}
	if _, err := db.ExpireIdentityRequests(ctx); err != nil {
		return domain.IdentityRequest{}, err
	}
	var r domain.IdentityRequest
	err := db.write(ctx, "reject identity request", func(t *txn) error {
		var err error
		if r, err = decide(ctx, t, actor, id, domain.RequestRejected, reason, domain.CheckDecider); err != nil {
			return err
		}
		return t.record(actor, "identity_request.rejected", "identity_request", r.ID, "", requestSummary(r, map[string]any{"reason": reason}))
	})
	return r, err
}

// CancelIdentityRequest withdraws a pending request on behalf of the
// administrator who made it. EForbidden for anyone else; EConflict when it
// is no longer pending.
func (db *DB) CancelIdentityRequest(ctx context.Context, actor domain.Actor, id string) (domain.IdentityRequest, error) {
	if _, err := db.ExpireIdentityRequests(ctx); err != nil {
		return domain.IdentityRequest{}, err
	}
	var r domain.IdentityRequest
	err := db.write(ctx, "cancel identity request", func(t *txn) error {
		var err error
		if r, err = decide(ctx, t, actor, id, domain.RequestCancelled, "", domain.CheckCanceller); err != nil {
			return err
		}
		return t.record(actor, "identity_request.cancelled", "identity_request", r.ID, "", requestSummary(r, nil))
	})
	return r, err
}
